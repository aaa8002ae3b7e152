// `casegraph export` / `casegraph open` as functions (cli.ts calls them): the file, the progress line,
// --json, --no-redact recorded, open idempotent; and an export whose receiver fails is still recorded.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport, runOpen, type CliIo } from '../../backend/src/cli-exchange.ts';
import { loadConfig } from '../../backend/src/config.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { AuthService } from '../../backend/src/auth/auth.service.ts';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import type { Runtime } from '../../backend/src/main.ts';
import { sha256Hex } from '../../backend/src/model/index.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import type { GraphStore } from '../../backend/src/storage/port.ts';
import { makeFixture, openStore, VICTIM_NAME, type Fixture } from './helpers.ts';

function runtime(store: GraphStore, dir: string): Runtime {
  const config = loadConfig({ CASEGRAPH_DATA: dir });
  const imports = new ImportService({ store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'lima-2023', maxUploadBytes: 1 << 30 });
  return { config, store, imports, mappings: new MappingService(join(dir, 'mappings')), auth: new AuthService(new AuthStore(join(dir, 'access.sqlite'))), log: silentLogger };
}

function io(): CliIo & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (s: string) => void (o.stdout += s), err: (s: string) => void (o.stderr += s) };
  return o;
}

describe('casegraph export / open', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await makeFixture();
  });
  afterAll(() => fx.close());

  it('exports a case to a file with a progress line, and prints the record', async () => {
    const out = join(fx.dir, 'cli.graphml');
    const t = io();
    expect(await runExport(runtime(fx.store, fx.dir), { format: 'graphml', case: 'op-lima', output: out }, t)).toBe(0);
    expect(t.stderr).toMatch(/export graphml: collecting case op-lima…\nexport graphml: writing 16 entities, 19 links, 4 events from 2 source\(s\)…/);
    const bytes = readFileSync(out);
    expect(t.stdout).toContain(`sha256 ${sha256Hex(bytes)}`);
    expect(t.stdout).toMatch(/2 victim\(s\) redacted/);
    expect(bytes.includes(Buffer.from(VICTIM_NAME))).toBe(false);
  });

  it('--no-redact --json writes names, records the unredaction and prints JSON', async () => {
    const out = join(fx.dir, 'cli.ftm.jsonl');
    const t = io();
    await runExport(runtime(fx.store, fx.dir), { format: 'ftm', noRedact: true, reason: 'MLAT request', output: out, json: true, quiet: true }, t);
    expect(t.stderr).toBe('');
    const rec = JSON.parse(t.stdout);
    expect(rec).toMatchObject({ format: 'ftm', scope: 'store', redacted: false, complete: true, output: out, sha256: sha256Hex(readFileSync(out)) });
    expect(readFileSync(out, 'utf8')).toContain(VICTIM_NAME);
    const un = (await fx.store.listAnnotations({ kind: 'unredaction' })).at(-1)!;
    expect(JSON.parse(un.text!)).toMatchObject({ format: 'ftm', scope: 'store', reason: 'MLAT request' });
  });

  it('refuses a bad format or a missing -o', async () => {
    const rt = runtime(fx.store, fx.dir);
    await expect(runExport(rt, { format: 'pdf', output: 'x' }, io())).rejects.toMatchObject({ code: 'bad_request' });
    await expect(runExport(rt, { format: 'csv' }, io())).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('opens a snapshot into another store, then says nothing changed', async () => {
    const snap = join(fx.dir, 'cli.casegraph.json');
    await runExport(runtime(fx.store, fx.dir), { format: 'snapshot', noRedact: true, output: snap, quiet: true }, io());
    const b = await openStore(fx.dir, 'cli-open.sqlite');
    try {
      const t = io();
      await runOpen(runtime(b, fx.dir), snap, {}, t);
      expect(t.stdout).toMatch(/cli\.casegraph\.json \(snapshot, original sources kept\): opened/);
      expect(t.stdout).toMatch(/\+ lima-raid\.report\.yaml \(case op-lima/);
      const again = io();
      await runOpen(runtime(b, fx.dir), snap, { json: true }, again);
      expect(JSON.parse(again.stdout).result.status).toBe('already_imported');
      await expect(runOpen(runtime(b, fx.dir), join(fx.dir, 'missing.json'), {}, io())).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await b.close();
    }
  });

  it('an export whose receiver fails is recorded as incomplete and the partial file is removed', async () => {
    const svc = new ExportService({ store: fx.store });
    const failing = new Writable({ write(_c, _e, cb) { cb(new Error('disk full')); } });
    failing.on('error', () => undefined);
    await expect(svc.exportTo({ format: 'snapshot', redactVictims: true }, failing, 'tester')).rejects.toBeTruthy();
    const rec = JSON.parse((await fx.store.listAnnotations({ kind: 'export' })).at(-1)!.text!);
    expect(rec).toMatchObject({ format: 'snapshot', complete: false });
    const out = join(fx.dir, 'nope', 'x.graphml');
    await expect(runExport(runtime(fx.store, fx.dir), { format: 'graphml', output: out, quiet: true }, io())).rejects.toBeTruthy();
    expect(existsSync(out)).toBe(false);
  });
});
