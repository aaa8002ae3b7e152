// createApp(deps): the express app — routers, static explorer, error handler. No I/O of its own.
import express, { Router } from 'express';
import helmet from 'helmet';
import { authRoutes, sessionMiddleware } from './api/auth.routes.ts';
import { FairQueue } from './api/fair-queue.ts';
import type { AuthService } from './auth/auth.service.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { errorHandler, notFoundHandler } from './api/error-handler.ts';
import { ANALYSIS_JSON_LIMIT, ANALYSIS_PATHS, analysisRoutes } from './api/analysis.routes.ts';
import { annotationRoutes } from './api/annotation.routes.ts';
import { TEXT_APPLY_JSON_LIMIT, textRoutes } from './api/text.routes.ts';
import { TextService } from './services/text.service.ts';
import { EXPORT_JSON_LIMIT, exportRoutes } from './api/export.routes.ts';
import { graphRoutes } from './api/graph.routes.ts';
import { ExportService } from './services/export.service.ts';
import { mappingRoutes } from './api/mapping.routes.ts';
import type { MappingService } from './services/mapping.service.ts';
import { importRoutes } from './api/import.routes.ts';
import { defineRoute, mount, openApiDocument, principalOf, type RouteDef } from './api/route.ts';
import type { Logger } from './logger.ts';
import { Counts } from './model/index.ts';
import { jsonDepth } from './exchange/snapshot/snapshot.schema.ts';
import { AnalysisService, type AnalysisLimits } from './services/analysis.service.ts';
import { GraphService } from './services/graph.service.ts';
import type { ImportService } from './services/import.service.ts';
import { JobRegistry } from './services/jobs.service.ts';
import type { GraphStore } from './storage/port.ts';

export const VERSION = '0.1.0';

export interface AppDeps {
  store: GraphStore;
  /** users, sessions and the audit trail: every route but sign-in needs a session */
  auth: AuthService;
  imports: ImportService;
  log: Logger;
  jobs?: JobRegistry;
  /** case and phone region for imported third-party exchange files that name neither */
  defaultCase?: string;
  region?: string;
  /** install secret (keys card-number hashes); the report-text routes are served only when it is given */
  secret?: string;
  mappings?: MappingService;
  /** bounds of the analysis views (tests lower them; defaults in analysis.service.ts) */
  analysisLimits?: Partial<AnalysisLimits>;
  /** express's `trust proxy` (behind a TLS-terminating proxy: its address or hop count), so cookies get Secure */
  trustProxy?: string | number | boolean;
  /** built explorer to serve at / (omitted in API-only tests) */
  staticDir?: string;
}

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  store: z.object({ store: z.string(), status: z.string(), version: z.string(), detail: z.string().optional() }),
  counts: Counts.optional(),
});

export function createApp(deps: AppDeps): express.Express {
  const { store, imports, log, auth } = deps;
  const graph = new GraphService(store);
  const exports = new ExportService({ store, graph, generator: `Casegraph ${VERSION}`, defaultCase: deps.defaultCase, region: deps.region });
  const jobs = deps.jobs ?? new JobRegistry(200, (err, job) => log.error('job failed unexpectedly', { job: job.id, error: err instanceof Error ? err.stack : String(err) }));
  const routes: RouteDef[] = [
    defineRoute({
      method: 'get', path: '/health', tag: 'system', access: 'public', summary: 'Store status and version; counts only for a signed-in admin', response: Health,
      handler: async ({ res, principal }) => {
        const h = await store.health();
        const counts = h.status === 'up' && principal.role === 'admin' && principal.cases === 'all';
        const body = { status: h.status === 'up' ? 'ok' : 'degraded', version: VERSION, store: h, ...(counts ? { counts: await store.counts() } : {}) };
        res.status(h.status === 'up' ? 200 : 503).json(body);
        return body;
      },
    }),
    ...authRoutes(auth),
    ...graphRoutes(graph),
    ...importRoutes(imports, jobs),
    ...annotationRoutes(graph, store),
    ...(deps.mappings ? mappingRoutes(deps.mappings) : []),
    ...exportRoutes(exports, imports, jobs),
    ...(deps.secret ? textRoutes(new TextService({ store, secret: deps.secret, region: deps.region ?? 'PE', defaultCase: deps.defaultCase ?? 'default' })) : []),
    ...analysisRoutes(new AnalysisService(store, deps.analysisLimits), jobs),
  ];
  const openapi = openApiDocument(routes, { title: 'Casegraph API', version: VERSION });

  const app = express();
  app.disable('x-powered-by');
  // no ETag over every JSON answer: hashing a 2-hop view (~1 MB) costs more than any client saves (the
  // explorer never revalidates API answers); the static explorer keeps serve-static's own ETags
  app.set('etag', false);
  app.set('query parser', 'simple');
  // helmet's headers on every answer, with our own CSP: scripts and styles only from this server (no
  // inline script, no eval), pictures also as data:/blob: (exports), nothing framed, no plugins
  app.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], fontSrc: ["'self'"],
        connectSrc: ["'self'"], workerSrc: ["'self'", 'blob:'], objectSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"], frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only means something over TLS; a loopback install over http must not be pinned to https
    strictTransportSecurity: false,
  }));
  if (deps.trustProxy) app.set('trust proxy', deps.trustProxy);
  const api = Router();
  api.use(sessionMiddleware(auth));
  // signed out, only the public routes are reached: nothing else is parsed, and unknown paths answer
  // 401 like known ones (no mapping of the API without an account)
  const open = new Set([...routes.filter((r) => r.access === 'public').map((r) => `${r.method.toUpperCase()} ${r.path}`), 'GET /openapi.json']);
  api.use((req, res, next) => {
    if (principalOf(res) || open.has(`${req.method === 'HEAD' ? 'GET' : req.method} ${req.path}`)) return next();
    next(new AppError('unauthorized', 'sign in first'));
  });
  api.use(refuseCrossSiteWrites);
  // exports and snapshots carry view ids, positions and view state: a larger (still bounded) body
  api.use(['/exports', '/snapshots'], express.json({ limit: EXPORT_JSON_LIMIT, strict: true }));
  // analysis scopes can list 5000 entity ids
  api.use(ANALYSIS_PATHS, express.json({ limit: ANALYSIS_JSON_LIMIT, strict: true }));
  api.use('/text/apply', express.json({ limit: TEXT_APPLY_JSON_LIMIT, strict: true }));
  api.use(express.json({ limit: '256kb', strict: true }));
  api.use(refuseDeepJson(MAX_JSON_DEPTH));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // store-bound reads take turns: one at a time on the synchronous embedded store, a few at once on Neo4j
  const queue = new FairQueue(store.kind === 'embedded' ? 1 : 16);
  mount(api, routes, { principal: (_req, res) => principalOf(res), audit: (e) => auth.audit(e), queue });
  api.use(notFoundHandler());
  app.use('/api', api);
  if (deps.staticDir && existsSync(deps.staticDir)) {
    app.use(express.static(deps.staticDir, { index: 'index.html', maxAge: '1h' }));
    app.get('/{*path}', (_req, res) => res.sendFile(join(deps.staticDir!, 'index.html')));
  }
  app.use(errorHandler(log));
  return app;
}

/**
 * CSRF defence for a server on loopback: a page on another site can make the investigator's browser send a
 * form POST (e.g. `text/plain` into an upload route) without a preflight. Browsers say where a request comes
 * from (Sec-Fetch-Site, Origin); a state-changing request that a browser marks as from another site is
 * refused. Clients that are not browsers (curl, the CLI, tests) send neither header and are not affected.
 */
export function refuseCrossSiteWrites(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  let crossOrigin = false;
  if (origin !== undefined) {
    try {
      crossOrigin = origin === 'null' || new URL(origin).host !== req.get('host');
    } catch {
      crossOrigin = true;
    }
  }
  if ((site !== undefined && site !== 'same-origin' && site !== 'none') || crossOrigin) {
    return next(new AppError('forbidden', 'cross-site requests may not change the case: open Casegraph itself to do this'));
  }
  next();
}

/** JSON bodies nest at most this deep (a saved view is about 6 levels). */
export const MAX_JSON_DEPTH = 32;

/** Refuses a parsed JSON body nested deeper than `max` (the walk has no recursion: it cannot overflow itself). */
export function refuseDeepJson(max: number) {
  return (req: express.Request, _res: express.Response, next: express.NextFunction) => {
    if (req.body && typeof req.body === 'object' && jsonDepth(req.body, max) > max) return next(new AppError('bad_request', `the JSON body is nested deeper than ${max} levels`));
    next();
  };
}
