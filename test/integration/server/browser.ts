// Headless Chromium for the web page test: Debian's `chromium` package (installed by apt through the harness
// when missing, as the other tools are), driven by playwright-core, with a fresh profile directory per run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { findTool, installMissing } from '../../harness/sys.js';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium, or the reason it cannot be had here (the test then skips and prints it). */
export async function launchChromium(): Promise<Browser | { skip: string }> {
  if (!findTool('chromium')) {
    try {
      await installMissing(['chromium']);
    } catch (e) {
      return { skip: `chromium is not installed and apt could not install it: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'lightning-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
