// Checkpoint statuses (Go `CheckpointStatus`, uint8, shared by tables and engines) and the failure encoding:
// a failed step stores its own status divided by 10, so every failure is <= 25 (`MaxInvalid`).

export const CheckpointStatus = {
  Missing: 0,
  MaxInvalid: 25,
  Loaded: 30,
  AllWritten: 60,
  DupDetected: 70,
  IndexDropped: 80,
  Closed: 90,
  Imported: 120,
  IndexImported: 140,
  AlteredAutoInc: 150,
  ChecksumSkipped: 170,
  Checksummed: 180,
  IndexAdded: 190,
  AnalyzeSkipped: 200,
  Analyzed: 210,
} as const;
export type CheckpointStatus = number;

const NAMES: Record<number, string> = {
  0: 'missing', 30: 'loaded', 60: 'written', 70: 'dup_detected', 80: 'index_dropped', 90: 'closed',
  120: 'imported', 140: 'index_imported', 150: 'altered_auto_inc', 170: 'checksum_skipped', 180: 'checksummed',
  190: 'index_added', 200: 'analyze_skipped', 210: 'analyzed',
};

/** Human name of a status (failed statuses name the step that failed: `failed(imported)`). */
export function statusName(s: number): string {
  if (s > 0 && s <= CheckpointStatus.MaxInvalid) return `failed(${NAMES[s * 10] ?? s * 10})`;
  return NAMES[s] ?? String(s);
}

/** The Go tool's metric label (`MetricName`): dup_detected/index_dropped fall to "invalid" as in Go. */
export function metricName(s: number): string {
  switch (s) {
    case 0: return 'missing';
    case 30: return 'pending';
    case 60: return 'written';
    case 90: return 'closed';
    case 120: return 'imported';
    case 140: return 'index_imported';
    case 150: return 'altered_auto_inc';
    case 170: case 180: return 'checksum';
    case 190: return 'index_added';
    case 200: case 210: return 'analyzed';
    default: return 'invalid';
  }
}

/** Status stored when the step that would have produced `step` fails. */
export function failedStatus(step: number): number {
  return Math.floor(step / 10);
}

export function isFailed(s: number): boolean {
  return s <= CheckpointStatus.MaxInvalid;
}

/**
 * Go's rule: a failure at altered_auto_inc or analyze is safe to skip (`--checkpoint-error-ignore`);
 * anything else left the table half-written, so it must be dropped (`--checkpoint-error-destroy`).
 */
export function recommendedCtl(failed: number, tableName: string): string {
  const step = failed * 10;
  const action = step === CheckpointStatus.AlteredAutoInc || step === CheckpointStatus.Analyzed ? 'ignore' : 'destroy';
  return `tidb-lightning-ctl --checkpoint-error-${action}='${tableName}'`;
}
