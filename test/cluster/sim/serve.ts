// Shared handler plumbing: every simulated RPC consults the fault injector first (actions run, a delay waits, a
// gRPC fault fails the call) and passes any region-level fault to the handler, which encodes it the way that
// RPC reports errors.
import * as grpc from '@grpc/grpc-js';
import type { FaultError, FaultInjector, SimAction } from './faults.js';
import type { SimState } from './state.js';

export interface SimContext {
  state: SimState;
  faults: FaultInjector;
  runAction(a: SimAction): Promise<void>;
}

export type UnaryFn<Req, Res> = (req: Req, fault: FaultError | undefined) => Res | Promise<Res>;

export function serviceError(code: grpc.status, details: string): Partial<grpc.StatusObject> & Error {
  return Object.assign(new Error(details), { code, details });
}

/** Runs faults for a call; returns the non-gRPC fault to hand to the handler, or throws a gRPC status error. */
export async function applyFaults(ctx: SimContext, service: string, method: string, store?: number, region?: number):
Promise<FaultError | undefined> {
  let passOn: FaultError | undefined;
  for (const hit of ctx.faults.take(service, method, store, region)) {
    if (hit.action) await ctx.runAction(hit.action);
    const e = hit.error;
    if (!e) continue;
    if (e.kind === 'delay') await new Promise((r) => setTimeout(r, e.ms));
    else if (e.kind === 'grpc') throw serviceError(e.code, e.message);
    else passOn ??= e;
  }
  return passOn;
}

export function unary<Req, Res>(ctx: SimContext, service: string, method: string, fn: UnaryFn<Req, Res>,
  where: (req: Req) => { store?: number; region?: number } = () => ({})): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const w = where(call.request);
    applyFaults(ctx, service, method, w.store, w.region)
      .then((fault) => fn(call.request, fault))
      .then((res) => callback(null, res), (e: unknown) => callback(toStatus(e)));
  };
}

export function toStatus(e: unknown): Partial<grpc.StatusObject> {
  const se = e as Partial<grpc.StatusObject>;
  if (typeof se.code === 'number') return { code: se.code, details: se.details ?? String(e) };
  return { code: grpc.status.UNKNOWN, details: e instanceof Error ? e.message : String(e) };
}
