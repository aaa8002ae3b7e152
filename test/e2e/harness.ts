// End-to-end harness: starts the real Casegraph server (`casegraph serve`) on a fresh data directory and a
// free port (its admin created on first start with a known test password), launches headless Chromium
// through playwright-core with the browser context signed in as that admin, gives node-side API calls the
// same kind of session cookie, collects console and page errors, and tears everything down. The server
// serves dist/, so the explorer must have been built (npm run test:e2e builds first; a missing dist/ is
// built here).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'test/e2e/artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The admin every e2e server creates on first start (CASEGRAPH_ADMIN_PASSWORD): a test-only password. */
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'e2e-admin-password-synthetic';

export interface ServerHandle {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the OS picks one; there is a small window before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Where the built explorer is: dist/, or CASEGRAPH_DIST (lets parallel work build and test apart). */
export const DIST = process.env.CASEGRAPH_DIST || join(ROOT, 'dist');

export function ensureBuilt(): void {
  if (existsSync(join(DIST, 'index.html'))) return;
  execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--outDir', DIST, '--emptyOutDir'], { cwd: ROOT, stdio: 'inherit' });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** Starts `casegraph serve` on a temp data dir; resolves once it prints its URL. */
export async function startServer(timeoutMs = 90_000): Promise<ServerHandle> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'casegraph-e2e-'));
  const port = await freePort();
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['backend/src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CASEGRAPH_DATA: dataDir, NODE_ENV: 'test', CASEGRAPH_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not print its URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolveUrl(`http://127.0.0.1:${m[1]}`);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${out}`));
      });
    });
    return { url, dataDir, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Node-side calls to the server under test, signed in (the session cookie goes with every request). */
export interface ApiSession {
  /** `casegraph_session=…`, as sent in the Cookie header */
  cookie: string;
  /** fetch(server + path) with the session cookie */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** GET a JSON path; throws on an error answer */
  get<T = unknown>(path: string): Promise<T>;
  /** a JSON body sent with `method`; throws on an error answer */
  send<T = unknown>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Signs `user` in through POST /api/auth/login and answers node-side calls carrying that session. */
export async function signInApi(url: string, user = ADMIN_USER, password = ADMIN_PASSWORD): Promise<ApiSession> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  if (!res.ok) throw new Error(`sign-in of ${user} → ${res.status}: ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('casegraph_session='));
  if (!cookie) throw new Error(`sign-in of ${user} set no session cookie`);
  const call = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    return fetch(url + path, { ...init, headers });
  };
  const checked = async <T>(what: string, res: Response): Promise<T> => {
    if (!res.ok) throw new Error(`${what} → ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    cookie,
    fetch: call,
    get: async <T>(path: string) => checked<T>(`GET ${path}`, await call(path)),
    send: async <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
      checked<T>(`${method} ${path}`, await call(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })),
  };
}

/**
 * Signs a browser context in: the cookie that `context.request` receives is shared with the context's
 * pages, so the explorer opens straight onto the workbench.
 */
export async function signInContext(context: BrowserContext, url: string, user = ADMIN_USER, password = ADMIN_PASSWORD): Promise<void> {
  const res = await context.request.post(`${url}/api/auth/login`, { data: { user, password } });
  if (!res.ok()) throw new Error(`browser sign-in of ${user} → ${res.status()}: ${await res.text()}`);
}

export interface ContextHandle {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface BrowserHandle extends ContextHandle {
  browser: Browser;
  /** console messages of type error and uncaught page errors, from every page of every context */
  errors: string[];
  /** another context (own cookies: signed out unless signed in), its pages' errors also in `errors` */
  newContext(): Promise<ContextHandle>;
  stop(): Promise<void>;
}

function contextHandle(context: BrowserContext, errors: string[]): ContextHandle {
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      // never wait forever on a missing element: fail with a message instead of hitting the test timeout
      page.setDefaultTimeout(20_000);
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
      });
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      return page;
    },
    close: () => context.close().catch(() => undefined),
  };
}

/**
 * Launches headless Chromium (playwright gives it a fresh temporary profile); every page's console
 * errors land in `errors`. The context is not signed in: see signInContext.
 */
export async function startBrowser(): Promise<BrowserHandle> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const newContext = () => browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  const main = contextHandle(await newContext(), errors);
  return {
    ...main,
    browser,
    errors,
    newContext: async () => contextHandle(await newContext(), errors),
    async stop() {
      await main.close();
      await browser.close().catch(() => undefined);
    },
  };
}

export interface Harness {
  server: ServerHandle;
  /** Chromium, its context signed in as the admin */
  browser: BrowserHandle;
  /** node-side API calls signed in as the admin */
  api: ApiSession;
  /** GET a JSON API path from the server under test (signed in as the admin) */
  get<T = unknown>(path: string): Promise<T>;
  /** fetch(server + path) signed in as the admin */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer();
  let browser: BrowserHandle | undefined;
  try {
    browser = await startBrowser();
    await signInContext(browser.context, server.url);
    const api = await signInApi(server.url);
    const b = browser;
    return {
      server,
      browser: b,
      api,
      get: (path) => api.get(path),
      fetch: (path, init) => api.fetch(path, init),
      async stop() {
        await b.stop();
        await server.stop();
      },
    };
  } catch (err) {
    await browser?.stop();
    await server.stop();
    throw err;
  }
}

/** Waits until the explorer finished its first layout and has no request in flight. */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.ready !== 'false', undefined, { timeout: 30_000 });
  const ready = await page.evaluate(() => document.body.dataset.ready);
  if (ready !== 'true') {
    const toast = await page.locator('[data-testid="toast"]').textContent();
    throw new Error(`explorer failed to load (ready=${ready}): ${toast}`);
  }
  await waitIdle(page);
}

export async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.pending === '0', undefined, { timeout: 30_000 });
}
