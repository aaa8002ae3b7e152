// End-to-end harness: starts the real Casegraph server (`casegraph serve`) on a fresh data directory and a
// free port, launches headless Chromium through playwright-core, collects console and page errors, and
// tears everything down. The server serves dist/, so the explorer must have been built (npm run test:e2e
// builds first; a missing dist/ is built here).
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
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CASEGRAPH_DATA: dataDir, NODE_ENV: 'test' },
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

export interface BrowserHandle {
  browser: Browser;
  context: BrowserContext;
  /** console messages of type error and uncaught page errors, from every page of the context */
  errors: string[];
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * Launches headless Chromium (playwright gives it a fresh temporary profile); every page's console
 * errors land in `errors`.
 */
export async function startBrowser(): Promise<BrowserHandle> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  return {
    browser,
    context,
    errors,
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
    async stop() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

export interface Harness {
  server: ServerHandle;
  browser: BrowserHandle;
  /** GET a JSON API path from the server under test */
  get<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer();
  let browser: BrowserHandle;
  try {
    browser = await startBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server,
    browser,
    async get<T>(path: string): Promise<T> {
      const res = await fetch(server.url + path);
      if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    async stop() {
      await browser.stop();
      await server.stop();
    },
  };
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
