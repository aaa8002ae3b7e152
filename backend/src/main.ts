// The composition root: config → store → services → app. The only file that wires things together.
import { existsSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { AuthService } from './auth/auth.service.ts';
import { AuthStore } from './auth/auth.store.ts';
import { audited } from './auth/audited.ts';
import { checkOntology } from './model/index.ts';
import { loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadSecret } from './secret.ts';
import { ImportService } from './services/import.service.ts';
import { MappingService } from './services/mapping.service.ts';
import { openStore } from './storage/open-store.ts';
import type { GraphStore } from './storage/port.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SEED_DIR = join(ROOT, 'seed', 'lima');
export const DEFAULT_CASE = 'lima-2023';

export interface Runtime {
  config: Config;
  store: GraphStore;
  imports: ImportService;
  mappings: MappingService;
  /** users, sessions and the audit trail ($CASEGRAPH_DATA/access.sqlite, whichever graph store) */
  auth: AuthService;
  log: Logger;
  /** install secret for keyed card hashes (report text extraction hashes cards like the importers; optional so test runtimes can omit it) */
  secret?: string;
}

/** Everything but the HTTP listener: used by `serve` and by the CLI's import/stats commands. */
export async function openRuntime(env: Record<string, string | undefined> = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const problems = checkOntology();
  if (problems.length) throw new Error(`the ontology is inconsistent:\n  ${problems.join('\n  ')}`);
  const store = await openStore(config);
  const secret = loadSecret(config.dataDir, config.secret);
  const mappings = new MappingService(join(config.dataDir, 'mappings'));
  const imports = new ImportService({ store, secret, region: config.region, defaultCase: DEFAULT_CASE, maxUploadBytes: config.maxUploadBytes, mappings });
  const auth = openAuth(config);
  return { config, store, imports, mappings, auth, log, secret };
}

/** Users, sessions and the audit trail: $CASEGRAPH_DATA/access.sqlite. */
export function openAuth(config: Config): AuthService {
  return new AuthService(new AuthStore(join(config.dataDir, 'access.sqlite')), { sessions: { idleMs: config.sessionIdleMs } });
}

/** Closes the graph store and the access database. */
export async function closeRuntime(rt: Runtime): Promise<void> {
  rt.auth.close();
  await rt.store.close();
}

/**
 * On first start (no users yet) creates the admin: with CASEGRAPH_ADMIN_PASSWORD, or a random password
 * printed once on stdout. Later starts print nothing.
 */
export async function ensureAdmin(rt: Runtime, print: (line: string) => void): Promise<void> {
  const made = await rt.auth.bootstrap(rt.config.adminPassword);
  if (!made) return;
  if (made.generated) {
    print(`First start: created the user "admin" with the password\n\n    ${made.password}\n\nIt is shown only this once. Sign in and change it (or set CASEGRAPH_ADMIN_PASSWORD before the first start).`);
  } else {
    print('First start: created the user "admin" with the password from CASEGRAPH_ADMIN_PASSWORD.');
  }
}

/** Loads the bundled Lima case files; already-imported files are a no-op, so this runs on every start. */
export async function loadSeed(rt: Runtime): Promise<void> {
  if (!existsSync(SEED_DIR)) return;
  const files = readdirSync(SEED_DIR).filter((f) => !f.startsWith('.') && !f.endsWith('.md')).sort();
  for (const f of files) {
    const r = await audited((e) => rt.auth.audit(e), { actor: 'system', action: 'import', details: { file: f, seed: true } },
      () => rt.imports.importFile(join(SEED_DIR, f), { importedBy: 'seed' }),
      (out) => ({ case: out.case, target: out.sha256, details: { format: out.format, status: out.status, entities: out.entities, links: out.links, events: out.events } }));
    rt.log.info(r.status === 'applied' ? 'seed loaded' : 'seed already loaded', { file: f, case: r.case, entities: r.entities.created, links: r.links.created });
  }
}

export async function serve(rt: Runtime, staticDir = process.env.CASEGRAPH_DIST || join(ROOT, 'dist')): Promise<Server> {
  await ensureAdmin(rt, (line) => process.stdout.write(`${line}\n`));
  if (rt.config.seed) await loadSeed(rt);
  if (!existsSync(join(staticDir, 'index.html'))) rt.log.warn('the explorer is not built (run `npm run build`); serving the API only', { staticDir });
  const app = createApp({
    store: rt.store, imports: rt.imports, mappings: rt.mappings, auth: rt.auth, log: rt.log, staticDir, defaultCase: DEFAULT_CASE, region: rt.config.region, secret: rt.secret,
    trustProxy: rt.config.trustProxy,
  });
  return new Promise((resolveServer, reject) => {
    const server = app.listen(rt.config.port, rt.config.host, () => resolveServer(server));
    server.on('error', reject);
  });
}
