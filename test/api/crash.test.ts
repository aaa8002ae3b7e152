// Crash safety: the server is SIGKILLed in the middle of a large import. After a restart the store is
// byte-for-byte the same logical content as before the import began (its transaction never committed),
// SQLite's integrity check passes, and the same file imports cleanly when sent again.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import { signIn, withSession } from './http-session.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { SYNTHETIC_CDR_MAPPING, writeSyntheticCdr } from '../../seed/generators/network.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Running {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** fetch signed in as admin */
  fetch: typeof fetch;
}

const PASSWORD = 'crash test admin password';

async function serve(dataDir: string): Promise<Running> {
  const port = await freePort();
  // node itself, not the tsx wrapper: a SIGKILL must hit the process that holds the store
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CASEGRAPH_DATA: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'error', CASEGRAPH_ADMIN_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let out = '';
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 90_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { url, child, exited, fetch: withSession(await signIn(url, 'admin', PASSWORD)) };
}

/** The store's whole logical content (every source as its records, annotations, counts) as one hash. */
async function fingerprint(file: string): Promise<{ hash: string; counts: unknown; sources: number }> {
  const store = new EmbeddedGraphStore({ file });
  try {
    const h = createHash('sha256');
    let sources = 0;
    for await (const b of store.dump()) {
      sources++;
      h.update(JSON.stringify(b));
    }
    h.update(JSON.stringify(await store.listAnnotations()));
    return { hash: h.digest('hex'), counts: await store.counts(), sources };
  } finally {
    await store.close();
  }
}

describe('a server killed in the middle of an import', () => {
  let dir: string;
  let csv: string;
  const storeFile = () => join(dir, 'data', 'casegraph.sqlite');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-crash-'));
    csv = join(dir, 'synthetic-crash.csv');
    // over 8 MiB: parsed on a worker thread in `serve`, as large seized files are
    await writeSyntheticCdr(csv, { rows: 75_000, seed: 11 });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the store as it was, intact, and the import can simply be run again', async () => {
    const data = join(dir, 'data');
    // 1. first start: the Lima seed loads; a CDR mapping is saved; clean shutdown
    let s = await serve(data);
    const put = await s.fetch(`${s.url}/api/mappings/synthetic`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SYNTHETIC_CDR_MAPPING) });
    expect(put.ok).toBe(true);
    s.child.kill('SIGTERM');
    await s.exited;
    const before = await fingerprint(storeFile());
    expect(before.sources).toBeGreaterThan(0);

    // 2. second start: a large import runs as a job; once rows are flowing, SIGKILL (no shutdown code runs)
    s = await serve(data);
    const res = await s.fetch(`${s.url}/api/imports?name=synthetic-crash.csv&mapping=synthetic&async=true`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: readFileSync(csv),
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    let records = 0;
    for (let i = 0; i < 600 && records === 0; i++) {
      const j = (await (await s.fetch(`${s.url}/api/jobs/${job.id}`)).json()) as { state: string; progress: { records: number } };
      expect(j.state).toBe('running'); // it must still be running when killed, or the test proves nothing
      records = j.progress.records;
      if (!records) await new Promise((r) => setTimeout(r, 50));
    }
    expect(records).toBeGreaterThan(0);
    s.child.kill('SIGKILL');
    await s.exited;
    expect(s.child.signalCode).toBe('SIGKILL');

    // 3. the store on disk: same content as before the import, and SQLite finds nothing wrong
    const after = await fingerprint(storeFile());
    expect(after).toEqual(before);
    const db = new Database(storeFile(), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // the audit trail too: intact, its chain whole
    const access = new AuthStore(join(data, 'access.sqlite'));
    expect(access.verifyAudit()).toEqual({ entries: expect.any(Number) });
    expect(access.queryAudit({ action: 'auth.login' }).length).toBeGreaterThanOrEqual(2);
    access.close();

    // 4. restart and import the same file again: it lands whole
    s = await serve(data);
    try {
      const again = await s.fetch(`${s.url}/api/imports?name=synthetic-crash.csv&mapping=synthetic`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: readFileSync(csv),
      });
      expect(again.status).toBe(201);
      const out = (await again.json()) as { status: string; events: { created: number } };
      expect(out.status).toBe('applied');
      expect(out.events.created).toBeGreaterThan(50_000);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    const final = await fingerprint(storeFile());
    expect(final.sources).toBe(before.sources + 1);
  }, 300_000);
});
