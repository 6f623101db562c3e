// What an operator does after a failed import (README "Operators"): run the same command again; when it refuses
// because tables failed last time, run the tidb-lightning-ctl commands it names with the same flags, and run
// again. Returns the steps taken (for the test's diagnostics) and the last run.
import assert from 'node:assert/strict';
import { runCtl, runLightning, type RunResult } from '../harness/lightning.js';

const NAMED = /run 'tidb-lightning-ctl (--checkpoint-error-(?:destroy|ignore))='(.+?)''/g;

export async function recover(args: string[], env: Record<string, string> = {}): Promise<{ steps: string[]; last: RunResult }> {
  const steps: string[] = [];
  for (let round = 0; round < 3; round++) {
    const r = await runLightning(args, env);
    steps.push(`rerun exit ${r.exitCode}`);
    if (r.exitCode === 0) return { steps, last: r };
    const named = [...r.stderr.matchAll(NAMED)].map((m) => `${m[1]}=${m[2]}`);
    assert.ok(/has failed last time/.test(r.stderr) && named.length, `the rerun failed without naming a ctl command:\n${r.stderr}`);
    for (const cmd of named) {
      const c = await runCtl([...args, cmd], env);
      steps.push(`tidb-lightning-ctl ${cmd} exit ${c.exitCode}`);
      assert.equal(c.exitCode, 0, `${cmd}:\n${c.stderr}`);
    }
  }
  assert.fail(`no recovery after ${steps.join(' → ')}`);
}
