// Builds the real app on a real embedded store in a temp dir (no mocks of our own code). Every API route
// but sign-in needs a session: `app` is the app as signed-in admin (a real sign-in; the handler adds the
// session cookie to each request), `as()` signs in other users, `raw` is the app signed out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import { createApp, type AppDeps } from '../../backend/src/app.ts';
import type { Role } from '../../backend/src/auth/access.ts';
import { AuthService } from '../../backend/src/auth/auth.service.ts';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import { SESSION_COOKIE } from '../../backend/src/api/auth.routes.ts';
import { silentLogger, type Logger } from '../../backend/src/logger.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const TEST_PASSWORD = 'a test password of some length';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An AuthService on `dir` whose first user is admin (password ADMIN_PASSWORD). Faster KDF for tests is not used: the real one runs. */
export async function makeAuth(dir: string, opts: ConstructorParameters<typeof AuthService>[1] = {}): Promise<AuthService> {
  const auth = new AuthService(new AuthStore(join(dir, 'access.sqlite')), opts);
  await auth.bootstrap(ADMIN_PASSWORD);
  return auth;
}

/** `app` with the session cookie of `user` (signed in for real) added to every request. */
export async function signedIn(app: express.Express, auth: AuthService, user = 'admin', password = user === 'admin' ? ADMIN_PASSWORD : TEST_PASSWORD): Promise<Handler> {
  const { token } = await auth.login(user, password, '127.0.0.1');
  return (req, res) => {
    req.headers.cookie = `${SESSION_COOKIE}=${token}${req.headers.cookie ? `; ${req.headers.cookie}` : ''}`;
    app(req as express.Request, res as express.Response);
  };
}

/** Creates `name` with `role` and `cases` (unless it exists) and returns the app signed in as them. */
export async function signedInAs(app: express.Express, auth: AuthService, name: string, role: Role = 'analyst', cases: string[] = []): Promise<Handler> {
  if (!auth.store.getUser(name)) await auth.addUser('admin', { name, role, password: TEST_PASSWORD, cases });
  return signedIn(app, auth, name, TEST_PASSWORD);
}

export async function makeApp(opts: { maxUploadBytes?: number; log?: Logger; deps?: Partial<AppDeps> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-api-'));
  const store = new EmbeddedGraphStore({ file: join(dir, 'store.sqlite') });
  const mappings = new MappingService(join(dir, 'mappings'));
  const imports = new ImportService({
    store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'lima-2023', maxUploadBytes: opts.maxUploadBytes ?? 50 * 1024 * 1024, tmpDir: join(dir, 'spool'), mappings,
  });
  const auth = await makeAuth(dir);
  const raw = createApp({ store, imports, mappings, auth, secret: 's'.repeat(32), log: opts.log ?? silentLogger, ...opts.deps });
  const app = await signedIn(raw, auth);
  return {
    app, raw, store, imports, auth, dir,
    as: (name: string, role: Role = 'analyst', cases: string[] = []) => signedInAs(raw, auth, name, role, cases),
    close: async () => {
      auth.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
