// The status web page in a real headless Chromium, against the CLI in server mode and a private MariaDB:
// the page loads, shows the running (paused) task with its tables and a table's checkpoint, its Resume
// button resumes the import, it reaches 100 %, and a bad task submitted from its form shows the coded error.
// Screenshots are saved under dist/test-artifacts/ and their paths printed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { launchChromium, type Browser } from './browser.js';
import type { Page } from 'playwright-core';
import { http, startWithStatus, taskToml, writeDump, type RunningLightning } from './helpers.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

let db: MariaDB;
let work = '';
let srv: RunningLightning;
let browser: Browser | { skip: string };

/** Wait until the element's whole text matches (the page redraws every 250 ms). */
async function waitText(page: Page, selector: string, text: string | RegExp, timeout = 60_000): Promise<void> {
  const re = typeof text === 'string' ? new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : text;
  await page.locator(selector).filter({ hasText: re }).waitFor({ timeout });
}

before(async () => {
  [db, browser] = await Promise.all([startMariaDB(), launchChromium()]);
  work = mkdtempSync(join(tmpdir(), 'web-it-'));
  srv = await startWithStatus(db, join(work, 'lightning.log'), ['--server-mode']);
});
after(async () => {
  if (browser && 'close' in browser) await browser.close();
  await srv?.stop();
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the web page shows the running task, resumes it and reaches 100 %', async (t) => {
  if ('skip' in browser) {
    t.diagnostic(`skipped: ${browser.skip}`);
    t.skip(browser.skip);
    return;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const dump = writeDump(work, 'web', { tables: 3, files: 8, rowsPerFile: 300 });
  await http(srv.base, '/pause', { method: 'PUT' });
  const r = await http(srv.base, '/tasks', { method: 'POST', body: taskToml(dump) });
  const id = (r.body as { id: number }).id;

  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${srv.base}/?interval=250`.replace('/?', '/web/?'));
  await page.waitForSelector('body[data-ready="1"]');
  await waitText(page, '#task-id', String(id));
  await page.locator('#tables tbody tr').nth(2).waitFor();
  assert.equal(await page.textContent('#task-state'), 'running');
  assert.equal(await page.isVisible('#paused'), true, 'the paused badge shows');
  assert.equal(await page.textContent('#total-percent'), '0.0%');
  assert.deepEqual(await page.$$eval('#tables tbody tr td:first-child', (tds) => tds.map((td) => td.textContent)),
    ['`web`.`t1`', '`web`.`t2`', '`web`.`t3`']);
  assert.match((await page.textContent('#task-source')) ?? '', /web → tidb backend/);
  // the queue lists the task with its cancel button; the submit form is there (server mode)
  assert.equal(await page.textContent(`#queue tr[data-task="${id}"] td:nth-child(2)`), 'running');
  assert.equal(await page.isVisible('#submit'), true);
  // a table's checkpoint: engines and chunks
  await page.click('#tables tbody tr[data-table="`web`.`t2`"]');
  await page.waitForSelector('#detail-table tbody tr');
  assert.match((await page.textContent('#detail-title')) ?? '', /`web`\.`t2` — checkpoint /);
  assert.equal(await page.$$eval('#detail-table tbody tr', (trs) => trs.filter((tr) => tr.children[2]?.textContent?.endsWith('.sql')).length), 8);
  const paused = join(ARTIFACTS, 'web-status-paused.png');
  await page.screenshot({ path: paused, fullPage: true });
  t.diagnostic(`screenshot (paused): ${paused}`);

  await page.click('#resume');
  await waitText(page, '#total-percent', '100.0%');
  await waitText(page, '#task-state', 'completed');
  assert.equal(await page.isVisible('#paused'), false);
  assert.deepEqual(await page.$$eval('#tables tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent)), ['done', 'done', 'done']);
  assert.equal(await page.textContent('#rows'), String(dump.rows));
  assert.equal(await page.isVisible('#errors-card'), false, 'no errors shown');
  const n = await db.query<Array<{ n: number }>>('SELECT (SELECT COUNT(*) FROM web.t1) + (SELECT COUNT(*) FROM web.t2) + (SELECT COUNT(*) FROM web.t3) n');
  assert.equal(Number(n[0]!.n), dump.rows);
  const done = join(ARTIFACTS, 'web-status-done.png');
  await page.screenshot({ path: done, fullPage: true });
  t.diagnostic(`screenshot (100 %): ${done}`);
  console.log(`web page screenshots: ${paused} ${done}`);

  assert.deepEqual(errors, [], 'no script or request errors in the page');

  // a bad task from the page's form: the coded error is shown (the browser logs the 400 it asked for)
  await page.fill('#task-toml', '[mydumper]\ndata-source-dir = 5\n');
  await page.click('#submit button[type="submit"]');
  await waitText(page, '#submit-result', /Lightning:Config:ErrInvalidConfig/);
  assert.match((await page.textContent('#submit-result')) ?? '', /\[Lightning:Config:ErrInvalidConfig\] invalid task configuration: .*data-source-dir/);
  assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  await page.close();
});
