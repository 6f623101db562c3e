// PD's HTTP API subset Lightning reads (protocol.md §3.8, §10 item 9).
import { createServer, type Server } from 'node:http';
import type { SimState } from './state.js';

export function pdHttpServer(st: SimState, replicas: number): { server: Server; schedulers: Set<string> } {
  const schedulers = new Set(['balance-leader-scheduler', 'balance-region-scheduler', 'balance-hot-region-scheduler']);
  const paused = new Set<string>();
  const storeJson = (id: number) => {
    const s = st.stores.get(id)!;
    const regionCount = st.regions.filter((r) => r.peers.some((p) => p.storeId === id)).length;
    const leaderCount = st.regions.filter((r) => r.leaderStoreId === id).length;
    return {
      store: { id: s.id, address: s.address, version: s.version, state_name: s.state, status_address: s.statusAddress },
      status: { capacity: '1TiB', available: '512GiB', region_count: regionCount, leader_count: leaderCount },
    };
  };
  const server = createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.statusCode = code;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    let m: RegExpMatchArray | null;
    if (path === '/pd/api/v1/version') return send(200, { version: 'v8.5.0' });
    if (path === '/pd/api/v1/stores') {
      const ids = [...st.stores.keys()];
      return send(200, { count: ids.length, stores: ids.map(storeJson) });
    }
    if ((m = path.match(/^\/pd\/api\/v1\/store\/(\d+)$/))) {
      return st.stores.has(Number(m[1])) ? send(200, storeJson(Number(m[1]))) : send(404, 'store not found');
    }
    if (path === '/pd/api/v1/config/replicate') return send(200, { 'max-replicas': replicas, 'location-labels': '' });
    if (path === '/pd/api/v1/config/schedule') return send(200, { 'max-merge-region-size': 20, 'leader-schedule-limit': 4, 'region-schedule-limit': 2048 });
    if (path === '/pd/api/v1/schedulers' && req.method === 'GET') {
      return send(200, url.searchParams.get('status') === 'paused' ? [...paused] : [...schedulers]);
    }
    if ((m = path.match(/^\/pd\/api\/v1\/schedulers\/(.+)$/)) && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const delay = Number((JSON.parse(body || '{}') as { delay?: number }).delay ?? 0);
        if (delay > 0) paused.add(m![1]!); else paused.delete(m![1]!);
        send(200, 'Pause or resume the scheduler successfully.');
      });
      return;
    }
    send(404, 'not found');
  });
  return { server, schedulers: paused };
}
