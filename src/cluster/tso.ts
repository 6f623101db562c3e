// TiDB timestamps: physical milliseconds << 18 | logical (protocol.md §3.3).
export const LOGICAL_BITS = 18n;
const LOGICAL_MASK = (1n << LOGICAL_BITS) - 1n;

export function composeTS(physical: bigint | number, logical: bigint | number): bigint {
  return (BigInt(physical) << LOGICAL_BITS) + BigInt(logical);
}

export function extractPhysical(ts: bigint): bigint {
  return ts >> LOGICAL_BITS;
}

export function extractLogical(ts: bigint): bigint {
  return ts & LOGICAL_MASK;
}
