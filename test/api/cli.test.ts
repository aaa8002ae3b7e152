// The `casegraph` command as users run it: real processes on a temp data dir.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'backend/src/cli.ts');
const SEED = join(ROOT, 'seed/lima/lima-raid.report.yaml');

describe('casegraph CLI', () => {
  let data: string;
  const run = (...args: string[]) => spawnSync(TSX, [CLI, ...args], { env: { ...process.env, CASEGRAPH_DATA: data }, encoding: 'utf8', timeout: 30_000 });
  beforeAll(() => {
    data = mkdtempSync(join(tmpdir(), 'casegraph-cli-'));
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('imports a report, then says already imported', () => {
    const first = run('import', SEED);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/lima-raid\.report\.yaml \(report\) → case lima-2023: entities 38 created/);
    const again = run('import', SEED, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'already_imported', case: 'lima-2023' });
  });

  it('exits non-zero with the error when an import is refused', () => {
    const bad = join(data, 'bad.report.yaml');
    writeFileSync(bad, 'casegraph: report/1\ncase: x\ndocument: { title: t }\nentities:\n  - { ref: a, type: Phnoe, label: A, at: "1" }\n');
    const r = run('import', bad, '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 'import_failed', message: expect.stringContaining('entities[0].type (line 5): unknown type "Phnoe"') });
    expect(run('import', join(data, 'missing.yaml')).status).toBe(1);
  });

  it('prints stats as text and JSON', () => {
    const r = run('stats', '--json');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ store: 'embedded', entities: 38, sources: 1 });
    expect(s.cases[0].name).toBe('lima-2023');
    expect(run('stats').stdout).toMatch(/entities 38 · links \d+/);
  });

  it('refuses bad configuration naming the variable', () => {
    const r = spawnSync(TSX, [CLI, 'stats'], { env: { ...process.env, CASEGRAPH_DATA: data, PORT: 'eighty' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it('serve prints a loopback URL and answers with the Lima case loaded', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'casegraph-serve-'));
    const child = spawn(TSX, [CLI, 'serve'], { env: { ...process.env, CASEGRAPH_DATA: fresh, PORT: '0', LOG_LEVEL: 'warn' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
        setTimeout(() => reject(new Error('no URL printed')), 20_000);
      });
      const cases = await (await fetch(`${url}/api/cases`)).json();
      expect(cases.cases.map((c: { name: string }) => c.name)).toContain('lima-2023');
    } finally {
      child.kill('SIGTERM');
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
