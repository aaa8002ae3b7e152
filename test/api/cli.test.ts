// The `casegraph` command as users run it: real processes on a temp data dir.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import { signIn, withSession } from './http-session.ts';

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

  it('users: add with a password from stdin, list, grant, passwd, disable; each recorded with the CLI user', () => {
    const stdin = (args: string[], input: string) => spawnSync(TSX, [CLI, ...args], { env: { ...process.env, CASEGRAPH_DATA: data, USER: 'ops' }, encoding: 'utf8', input, timeout: 30_000 });
    const add = stdin(['user', 'add', 'rosa', '--role', 'analyst', '--cases', 'lima-2023', '--password-stdin'], 'rosa password 2023\n');
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/^added: rosa\tanalyst\tlima-2023/);
    expect(add.stdout).not.toMatch(/rosa password/); // a password given is never echoed
    // no TTY and no --password-stdin: a generated password, printed once
    const gen = stdin(['user', 'add', 'vic', '--role', 'viewer'], '');
    expect(gen.status).toBe(0);
    expect(gen.stdout).toMatch(/password \(shown once\): [A-Za-z2-9]{20}\n/);
    expect(stdin(['user', 'add', 'rosa', '--role', 'viewer', '--password-stdin'], 'another long password').status).toBe(1);
    const short = stdin(['user', 'add', 'sam', '--role', 'viewer', '--password-stdin'], 'short');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect(stdin(['user', 'add', 'sam', '--role', 'boss', '--password-stdin'], 'long enough password').stderr).toMatch(/--role must be one of admin, analyst, viewer/);
    expect(stdin(['user', 'grant', 'vic', '--cases', 'lima-2023,other-case'], '').stdout).toMatch(/vic\tviewer\tlima-2023, other-case/);
    expect(stdin(['user', 'passwd', 'rosa', '--password-stdin'], 'rosa new password 2024').status).toBe(0);
    expect(stdin(['user', 'disable', 'vic'], '').stdout).toMatch(/disabled: vic\tviewer \(disabled\)/);
    const list = JSON.parse(stdin(['user', 'list', '--json'], '').stdout) as { users: { name: string; role: string; disabled: boolean; cases: string[] }[] };
    expect(list.users.map((u) => [u.name, u.role, u.disabled])).toEqual([['rosa', 'analyst', false], ['vic', 'viewer', true]]);
    expect(stdin(['user', 'disable', 'nobody'], '').status).toBe(1);
    // the audit trail names the CLI user
    const store = new AuthStore(join(data, 'access.sqlite'));
    try {
      const trail = store.queryAudit({ actor: 'cli:ops' }).map((e) => `${e.action} ${e.target}`).reverse();
      expect(trail).toEqual(['user.create rosa', 'user.create vic', 'user.update vic', 'user.passwd rosa', 'user.disable vic']);
      expect(store.verifyAudit().brokenAt).toBeUndefined();
    } finally {
      store.close();
    }
  }, 180_000);

  it('serve: the first start creates admin with a random password printed once; it signs in and the Lima case is loaded', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'casegraph-serve-'));
    const start = async () => {
      const child = spawn(TSX, [CLI, 'serve'], { env: { ...process.env, CASEGRAPH_DATA: fresh, PORT: '0', LOG_LEVEL: 'warn', CASEGRAPH_ADMIN_PASSWORD: '' } });
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
        setTimeout(() => reject(new Error('no URL printed')), 20_000);
      });
      return { child, url, out: () => out };
    };
    let s = await start();
    try {
      const password = /created the user "admin" with the password\n\n {4}(\S+)\n/.exec(s.out())?.[1];
      expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
      // signed out: nothing but sign-in
      expect((await fetch(`${s.url}/api/cases`)).status).toBe(401);
      const cookie = await signIn(s.url, 'admin', password!);
      const cases = await (await withSession(cookie)(`${s.url}/api/cases`)).json();
      expect(cases.cases.map((c: { name: string }) => c.name)).toContain('lima-2023');
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
      // the second start prints no password, and the first one still works
      s = await start();
      expect(s.out()).not.toMatch(/password/);
      expect(await signIn(s.url, 'admin', password!)).toMatch(/^casegraph_session=/);
    } finally {
      s.child.kill('SIGTERM');
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
