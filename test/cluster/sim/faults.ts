// Scripted faults: "the nth matching call (on this store / region) fails with X", optionally for several calls,
// or triggers an action (split behind the client's back, leader change, store down) before it is served.
// Deterministic: only call counts decide.
import type * as grpc from '@grpc/grpc-js';

export type FaultError =
  | { kind: 'notLeader'; hint?: boolean }
  | { kind: 'epochNotMatch'; currentRegions?: boolean }
  | { kind: 'serverIsBusy'; backoffMs?: number; reason?: string }
  | { kind: 'regionNotFound' }
  | { kind: 'keyNotInRegion' }
  | { kind: 'staleCommand' }
  | { kind: 'readIndexNotReady' }
  | { kind: 'proposalDropped' }
  | { kind: 'diskFull' }
  /** a gRPC status, e.g. UNAVAILABLE, or UNKNOWN with `RequestTooNew(...)` / `DiskSpaceNotEnough` */
  | { kind: 'grpc'; code: grpc.status; message: string }
  /** a PD header error */
  | { kind: 'pdError'; type: string; message: string }
  /** slow store: delay, then serve normally */
  | { kind: 'delay'; ms: number };

export type SimAction =
  | { kind: 'split'; rawKeys: Buffer[] }
  | { kind: 'transferLeader'; region: number; toStore: number }
  | { kind: 'storeDown'; store: number }
  | { kind: 'storeUp'; store: number };

export interface Fault {
  /** method name ('MultiIngest'), or 'Service/Method' ('ImportSST/Write', 'PD/GetRegion', 'Tikv/SplitRegion'), or '*' */
  rpc: string;
  store?: number;
  region?: number;
  /** 1-based index of the first matching call (counted from injection) that is hit; default 1 */
  nth?: number;
  /** how many consecutive matching calls are hit from nth on; default 1 (bursts: > 1) */
  times?: number;
  error?: FaultError;
  action?: SimAction;
}

interface Armed { f: Fault; seen: number; fired: number }

export interface Hit { error?: FaultError; action?: SimAction }

export class FaultInjector {
  private armed: Armed[] = [];
  readonly log: { rpc: string; store?: number; region?: number; fault: Fault }[] = [];

  inject(f: Fault): void {
    this.armed.push({ f, seen: 0, fired: 0 });
  }

  clear(): void { this.armed = []; }

  /** Called by every handler; returns what to do for this call (at most one error, actions all run). */
  take(service: string, method: string, store?: number, region?: number): Hit[] {
    const hits: Hit[] = [];
    for (const a of this.armed) {
      const { f } = a;
      if (f.rpc !== '*' && f.rpc !== method && f.rpc !== `${service}/${method}`) continue;
      if (f.store !== undefined && f.store !== store) continue;
      if (f.region !== undefined && f.region !== region) continue;
      a.seen++;
      const nth = f.nth ?? 1;
      if (a.seen < nth || a.fired >= (f.times ?? 1)) continue;
      a.fired++;
      this.log.push({ rpc: `${service}/${method}`, store, region, fault: f });
      hits.push({ error: f.error, action: f.action });
    }
    this.armed = this.armed.filter((a) => a.fired < (a.f.times ?? 1));
    return hits;
  }
}
