// Fault injection. Scripted faults: "the nth matching call (on this store / region) fails with X", optionally for
// several calls, or triggers an action (split behind the client's back, leader change, store down/restart, disk
// full) before it is served. Chaos: every matching call fails with probability `rate`, the error drawn from a
// list, by a PRNG seeded per injector. Both are deterministic: call order and the seed decide, not timing.
import type * as grpc from '@grpc/grpc-js';
import { prng } from '../../harness/prng.js';

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
  /** the store's gRPC port closes: connection refused / UNAVAILABLE until storeUp */
  | { kind: 'storeDown'; store: number }
  | { kind: 'storeUp'; store: number }
  /** down now, up again after `afterMs` (0: on the next tick) */
  | { kind: 'storeRestart'; store: number; afterMs?: number }
  /** 'full': Write → DiskSpaceNotEnough, Ingest → disk_full; 'normal' restores */
  | { kind: 'disk'; store: number; state: 'normal' | 'almostFull' | 'full' }
  /** SuspendImportRPC: ingests answer server_is_busy for `ms` */
  | { kind: 'suspendImports'; store: number; ms: number };

export interface Fault {
  /** method name ('MultiIngest'), or 'Service/Method' ('ImportSST/Write', 'PD/GetRegion', 'Tikv/SplitRegion'), or '*' */
  rpc: string;
  store?: number;
  region?: number;
  /** 1-based index of the first matching call (counted from injection) that is hit; default 1 */
  nth?: number;
  /** how many consecutive matching calls are hit from nth on; default 1 (bursts: > 1; Infinity: from then on) */
  times?: number;
  error?: FaultError;
  action?: SimAction;
}

export interface Chaos {
  seed: number;
  /** probability that a matching call fails, 0..1 */
  rate: number;
  /** rpc patterns as in Fault.rpc; default every ImportSST/Tikv call */
  rpcs?: string[];
  errors: FaultError[];
  /** stop after this many injected errors (default unbounded) */
  max?: number;
}

interface Armed { f: Fault; seen: number; fired: number }

export interface Hit { error?: FaultError; action?: SimAction }


const matches = (pattern: string, service: string, method: string) =>
  pattern === '*' || pattern === method || pattern === `${service}/${method}` || pattern === `${service}/*`;

export class FaultInjector {
  private armed: Armed[] = [];
  private chaos?: { c: Chaos; next: () => number; fired: number };
  readonly log: { rpc: string; store?: number; region?: number; fault: Fault }[] = [];

  inject(f: Fault): void {
    this.armed.push({ f, seen: 0, fired: 0 });
  }

  /** Turns on seeded random failures (replaces a previous chaos setting). */
  setChaos(c: Chaos | undefined): void {
    this.chaos = c ? { c, next: prng(c.seed), fired: 0 } : undefined;
  }

  clear(): void { this.armed = []; this.chaos = undefined; }

  /** Called by every handler; returns what to do for this call (actions all run, the first error wins). */
  take(service: string, method: string, store?: number, region?: number): Hit[] {
    const hits: Hit[] = [];
    for (const a of this.armed) {
      const { f } = a;
      if (!matches(f.rpc, service, method)) continue;
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
    const ch = this.chaos;
    if (ch && (ch.c.rpcs ?? ['ImportSST/*', 'Tikv/*']).some((p) => matches(p, service, method)) && (ch.c.max === undefined || ch.fired < ch.c.max)) {
      // two draws per matching call whatever the outcome, so one call's result never shifts the next call's
      const hit = ch.next() < ch.c.rate;
      const pick = ch.c.errors[Math.floor(ch.next() * ch.c.errors.length)];
      if (hit && pick) {
        ch.fired++;
        const f: Fault = { rpc: `${service}/${method}`, store, region, error: pick };
        this.log.push({ rpc: f.rpc, store, region, fault: f });
        hits.push({ error: pick });
      }
    }
    return hits;
  }
}
