// The tidb-lightning status server's routes, with Go's paths, methods and messages (lightning/pkg/server):
//   /                      302 → /web/
//   /web/                  the status page (index.html, app.js, style.css)
//   /metrics               Prometheus exposition
//   /tasks                 GET {current, queue} · POST a task TOML (server mode, else 501)
//   /tasks/{id}            GET the task's config · DELETE cancels it (running) or drops it (queued)
//   /tasks/{id}/front|back PATCH moves a queued task (also `?action=front|back`)
//   /progress/task         GET overall progress
//   /progress/table?t=     GET a table's checkpoint (engines, chunks)
//   /pause, /resume        GET {"paused": bool} · PUT pauses / resumes
//   /loglevel              GET {"level"} · PUT/POST {"level": "debug"}
import { redactedConfig } from '../config/to-toml.js';
import { Codes, LightningError } from '../errors.js';
import type { Logger } from '../log.js';
import { normalizeLevel } from '../log.js';
import { HttpError, HttpServer, methodNotAllowed, readBody, sendJson, sendText, type Request } from './http.js';
import type { LightningMetrics } from './metrics.js';
import type { Pauser } from './pauser.js';
import type { Task, TaskBoard } from './tasks.js';
import { taskProgressView, tableCheckpointView, tasksView } from './views.js';
import { APP_JS, INDEX_HTML, STYLE_CSS } from './web.js';

const MAX_TASK_BYTES = 1 << 20;

export interface LightningServerContext {
  board: TaskBoard;
  pause: Pauser;
  metrics: LightningMetrics;
  logger: Logger;
  /** server mode: validate a task TOML and queue it (throws a coded LightningError when it is bad) */
  submit?: (toml: string) => Task;
}

const WEB: Record<string, [string, string]> = {
  '': [INDEX_HTML, 'text/html; charset=utf-8'],
  'index.html': [INDEX_HTML, 'text/html; charset=utf-8'],
  'app.js': [APP_JS, 'text/javascript; charset=utf-8'],
  'style.css': [STYLE_CSS, 'text/css; charset=utf-8'],
};

function redirect(r: Request, to: string): void {
  r.res.writeHead(302, { Location: to });
  r.res.end();
}

/** "123", "123/front" → id and verb; Go answers 400 "invalid task ID" for anything else. */
function taskId(rest: string): { id: number; verb: string } {
  const [idText = '', verb = ''] = rest.split('/', 2);
  if (!/^\d+$/.test(idText)) throw new HttpError(400, `invalid task ID: parsing "${idText}": invalid syntax`);
  return { id: Number(idText), verb };
}

export function lightningServer(ctx: LightningServerContext): HttpServer {
  const { board, pause, metrics, logger } = ctx;
  const http = new HttpServer(logger);
  /** the last checkpoint view of each table, for the task whose progress it came from */
  let lastRead: { progress: unknown; views: Map<string, Record<string, unknown>> } = { progress: undefined, views: new Map() };

  const tasks = async (r: Request): Promise<void> => {
    const rest = r.rest;
    switch (r.method) {
      case 'GET': {
        if (rest === '') return sendJson(r.res, 200, tasksView(board));
        const t = board.get(taskId(rest).id);
        if (!t) throw new HttpError(404, 'task ID not found');
        return sendJson(r.res, 200, { id: t.id, state: t.state, config: redactedConfig(t.config) });
      }
      case 'POST': {
        if (!ctx.submit) throw new HttpError(501, 'server-mode not enabled');
        const text = await readBody(r.req, MAX_TASK_BYTES);
        logger.info('received task config');
        let task: Task;
        try {
          task = ctx.submit(text);
        } catch (e) {
          if (!(e instanceof LightningError)) throw e;
          const prefix = e.code === Codes.ParseConfigFile ? 'cannot parse task (must be TOML)' : 'invalid task configuration';
          throw new HttpError(400, `${prefix}: ${e.message}`, e.code);
        }
        logger.info({ taskId: task.id }, 'task queued');
        return sendJson(r.res, 200, { id: task.id });
      }
      case 'DELETE': {
        const { id } = taskId(rest);
        const ok = board.cancel(id);
        logger.info({ taskId: id, success: ok }, 'canceled task');
        if (!ok) throw new HttpError(404, 'task ID not found');
        return sendJson(r.res, 200, {});
      }
      case 'PATCH': {
        if (!ctx.submit) throw new HttpError(501, 'server-mode not enabled');
        const { id, verb } = taskId(rest);
        const action = verb || r.url.searchParams.get('action') || '';
        if (action !== 'front' && action !== 'back') throw new HttpError(400, 'unknown patch action');
        const ok = action === 'front' ? board.moveToFront(id) : board.moveToBack(id);
        if (!ok) throw new HttpError(404, 'task ID not found');
        return sendJson(r.res, 200, {});
      }
      default:
        throw methodNotAllowed(['GET', 'POST', 'DELETE', 'PATCH']);
    }
  };

  const only = (method: string, allowed: string[]) => {
    if (!allowed.includes(method)) throw methodNotAllowed(allowed);
  };

  http
    .on('/', (r) => redirect(r, '/web/'))
    .on('/web', (r) => redirect(r, '/web/'))
    .under('/web/', (r) => {
      const page = WEB[r.rest];
      // Go: unknown paths without an extension go back to the page; assets that do not exist are 404.
      if (!page) return r.rest.includes('.') ? sendText(r.res, 404, '404 page not found\n', 'text/plain') : redirect(r, '/web/');
      sendText(r.res, 200, page[0], page[1]);
    })
    .on('/metrics', async (r) => {
      const text = await metrics.text();
      sendText(r.res, 200, text, metrics.contentType);
    })
    .on('/tasks', tasks)
    .under('/tasks/', tasks)
    .on('/progress/task', (r) => {
      only(r.method, ['GET']);
      sendJson(r.res, 200, taskProgressView(board, pause.paused));
    })
    .on('/progress/table', async (r) => {
      only(r.method, ['GET']);
      const name = r.url.searchParams.get('t') ?? '';
      const progress = board.shown()?.progress;
      if (!progress?.checkpoints) throw new HttpError(404, 'progress is not enabled');
      let view: Record<string, unknown>;
      try {
        const cp = await progress.checkpoints(name);
        if (!cp) throw new HttpError(404, `table ${name} not found`);
        view = tableCheckpointView(cp);
        if (lastRead.progress !== progress) lastRead = { progress, views: new Map() };
        lastRead.views.set(name, view);
      } catch (e) {
        if (e instanceof HttpError) throw e;
        // The orchestrator closes its checkpoint store when the task ends (Go keeps an in-memory copy):
        // answer with the last view read while the task ran.
        const last = lastRead.progress === progress ? lastRead.views.get(name) : undefined;
        if (!last) throw new HttpError(410, `the checkpoint of the last task is closed: ${(e as Error).message}`);
        view = { ...last, Stale: true };
      }
      sendJson(r.res, 200, view);
    })
    .on('/pause', (r) => {
      if (r.method === 'GET') return sendJson(r.res, 200, { paused: pause.paused });
      only(r.method, ['GET', 'PUT']);
      pause.pause();
      logger.info('progress paused');
      sendJson(r.res, 200, {});
    })
    .on('/resume', (r) => {
      only(r.method, ['PUT']);
      pause.resume();
      logger.info('progress resumed');
      sendJson(r.res, 200, {});
    })
    .on('/loglevel', async (r) => {
      if (r.method === 'GET') return sendJson(r.res, 200, { level: logger.level });
      only(r.method, ['GET', 'PUT', 'POST']);
      let level: string | undefined;
      try {
        level = normalizeLevel(String((JSON.parse(await readBody(r.req, 4096)) as { level?: unknown }).level ?? ''));
      } catch {
        level = undefined;
      }
      if (!level) throw new HttpError(400, 'invalid log level');
      logger.info({ old: logger.level, new: level }, 'changed log level');
      logger.level = level;
      sendJson(r.res, 200, {});
    });
  return http;
}
