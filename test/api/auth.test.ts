// Accounts on the real app and store: every route refuses the signed-out (401) and too-weak roles (403),
// sign-in is limited, sessions end when they should, the cookie is locked down, and the audit trail is
// append-only with a hash chain that shows tampering.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { can, PERMISSIONS, type Role } from '../../backend/src/auth/access.ts';
import { AuthService } from '../../backend/src/auth/auth.service.ts';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import { hashPassword, randomPassword, verifyPassword } from '../../backend/src/auth/passwords.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { ADMIN_PASSWORD, makeApp, TEST_PASSWORD } from './harness.ts';

interface Op { method: 'get' | 'post' | 'put' | 'delete'; path: string; permission?: string }

/** Every operation in the app's own OpenAPI document, with its path parameters filled in. */
function operations(doc: { paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: string }>> }): Op[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method as Op['method'],
      path: path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{name}', 'somename'),
      permission: op.security?.length === 0 ? undefined : op['x-permission'],
    })));
}

describe('accounts and access', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  let ops: Op[];
  beforeAll(async () => {
    h = await makeApp();
    ops = operations((await request(h.raw).get('/api/openapi.json').expect(200)).body);
  });
  afterAll(() => h.close());

  it('declares a permission or public on every route; only sign-in, sign-out and health are public', () => {
    expect(ops.length).toBeGreaterThan(35);
    expect(ops.filter((o) => !o.permission).map((o) => `${o.method} ${o.path}`).sort()).toEqual(['get /health', 'post /auth/login', 'post /auth/logout']);
    for (const o of ops.filter((x) => x.permission)) expect(PERMISSIONS).toContain(o.permission);
  });

  it('answers 401 with the error shape on every other route when signed out (and with a forged cookie)', async () => {
    for (const o of ops.filter((x) => x.permission)) {
      for (const cookie of [undefined, 'casegraph_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'casegraph_session=../../etc']) {
        const req = request(h.raw)[o.method](`/api${o.path}`);
        if (cookie) req.set('Cookie', cookie);
        const r = await req;
        expect(r.status, `${o.method} ${o.path}`).toBe(401);
        expect(r.body).toEqual({ code: 'unauthorized', message: 'sign in first' });
      }
    }
    // signed out, a body is not even parsed, and unknown paths do not reveal themselves as 404
    expect((await request(h.raw).post('/api/merges').set('Content-Type', 'application/json').send('{not json')).status).toBe(401);
    expect((await request(h.raw).get('/api/no-such-route')).status).toBe(401);
    expect((await request(h.app).get('/api/no-such-route')).status).toBe(404);
  });

  it('answers 403 on every route whose permission the role lacks, and records each refusal', async () => {
    const as: Record<Role, Awaited<ReturnType<typeof h.as>>> = {
      admin: h.app, analyst: await h.as('ana', 'analyst', ['lima-2023']), viewer: await h.as('vic', 'viewer', ['lima-2023']),
    };
    const checked: Record<Role, number> = { admin: 0, analyst: 0, viewer: 0 };
    for (const role of ['viewer', 'analyst'] as const) {
      for (const o of ops.filter((x) => x.permission && !can({ user: role, role, cases: new Set() }, x.permission as never))) {
        const r = await request(as[role])[o.method](`/api${o.path}`);
        expect(r.status, `${role} ${o.method} ${o.path}`).toBe(403);
        expect(r.body.code).toBe('forbidden');
        checked[role]++;
      }
    }
    expect(checked.viewer).toBeGreaterThan(15); // imports, edits, exports, mappings, text, admin
    expect(checked.analyst).toBe(ops.filter((o) => o.permission === 'admin').length);
    const denied = h.auth.store.queryAudit({ action: 'access.denied', limit: 1000 });
    expect(denied).toHaveLength(checked.viewer + checked.analyst);
    expect(denied.find((e) => e.actor === 'vic' && e.target === 'POST /imports')).toMatchObject({ outcome: 'refused', details: { role: 'viewer', needs: 'write' } });
  });

  it('signs in with a locked-down cookie; a wrong password or unknown user get the same answer', async () => {
    const ok = await request(h.raw).post('/api/auth/login').send({ user: 'admin', password: ADMIN_PASSWORD }).expect(200);
    expect(ok.body).toEqual({ user: 'admin', role: 'admin', cases: 'all' });
    const cookie = ok.headers['set-cookie'][0] as string;
    expect(cookie).toMatch(/^casegraph_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toMatch(/Secure/); // plain http on loopback
    const me = await request(h.raw).get('/api/auth/me').set('Cookie', cookie.split(';')[0]).expect(200);
    expect(me.body.user).toBe('admin');
    const wrong = await request(h.raw).post('/api/auth/login').send({ user: 'admin', password: 'not the password' });
    const unknown = await request(h.raw).post('/api/auth/login').send({ user: 'nobody', password: 'not the password' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const trail = h.auth.store.queryAudit({ action: 'auth.login', limit: 3 });
    expect(trail.map((e) => [e.actor, e.outcome, e.details?.reason])).toEqual([['nobody', 'refused', 'unknown_user'], ['admin', 'refused', 'bad_password'], ['admin', 'ok', undefined]]);
  });

  it('marks the cookie Secure behind a trusted TLS proxy', async () => {
    const app = createApp({ store: h.store, imports: h.imports, auth: h.auth, log: silentLogger, trustProxy: 'loopback' });
    const r = await request(app).post('/api/auth/login').set('X-Forwarded-Proto', 'https').send({ user: 'admin', password: ADMIN_PASSWORD }).expect(200);
    expect(r.headers['set-cookie'][0]).toMatch(/; Secure; SameSite=Strict$/);
  });

  it('limits failed sign-ins per user name (429 with the wait), without locking out other users', async () => {
    await h.auth.addUser('admin', { name: 'target', role: 'viewer', password: TEST_PASSWORD });
    for (let i = 0; i < 5; i++) expect((await request(h.raw).post('/api/auth/login').send({ user: 'target', password: `guess ${i} guess` })).status).toBe(401);
    const limited = await request(h.raw).post('/api/auth/login').send({ user: 'target', password: TEST_PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'too_many_requests', details: { retryAfterSeconds: expect.any(Number) } });
    expect(limited.body.details.retryAfterSeconds).toBeGreaterThan(800);
    // even the right password waits; another user is not affected
    await h.auth.addUser('admin', { name: 'bystander', role: 'viewer', password: TEST_PASSWORD });
    expect((await request(h.raw).post('/api/auth/login').send({ user: 'bystander', password: TEST_PASSWORD })).status).toBe(200);
    expect(h.auth.store.queryAudit({ actor: 'target', limit: 1 })[0]).toMatchObject({ action: 'auth.login', outcome: 'refused', details: { reason: 'rate_limited' } });
  });

  it('ends sessions on sign-out, on disabling, on a password change and after the idle time', async () => {
    let now = Date.now();
    const dir = h.dir;
    const auth = new AuthService(new AuthStore(join(dir, 'sessions.sqlite')), { now: () => now, sessions: { idleMs: 60 * 60_000 } });
    await auth.bootstrap(ADMIN_PASSWORD);
    await auth.addUser('admin', { name: 'sam', role: 'analyst', password: TEST_PASSWORD });
    const app = createApp({ store: h.store, imports: h.imports, auth, log: silentLogger });
    const login = async (user: string, password: string) => ((await request(app).post('/api/auth/login').send({ user, password }).expect(200)).headers['set-cookie'][0] as string).split(';')[0];
    const me = (cookie: string) => request(app).get('/api/auth/me').set('Cookie', cookie).then((r) => r.status);

    const a = await login('sam', TEST_PASSWORD);
    expect(await me(a)).toBe(200);
    await request(app).post('/api/auth/logout').set('Cookie', a).expect(200);
    expect(await me(a)).toBe(401);

    const b = await login('sam', TEST_PASSWORD);
    now += 59 * 60_000;
    expect(await me(b)).toBe(200); // used: the idle clock restarts
    now += 59 * 60_000;
    expect(await me(b)).toBe(200);
    now += 61 * 60_000;
    expect(await me(b)).toBe(401); // idle too long

    const c = await login('sam', TEST_PASSWORD);
    const d = await login('sam', TEST_PASSWORD);
    const changed = await request(app).post('/api/auth/password').set('Cookie', c).send({ current: TEST_PASSWORD, next: 'sam has a new password' });
    expect(changed.status).toBe(200);
    expect(await me(d)).toBe(401); // the other session ended
    const c2 = (changed.headers['set-cookie'][0] as string).split(';')[0];
    expect(await me(c2)).toBe(200); // the one that changed it is signed in again
    expect((await request(app).post('/api/auth/password').set('Cookie', c2).send({ current: 'wrong wrong wrong', next: 'whatever whatever' })).status).toBe(403);

    const admin = await login('admin', ADMIN_PASSWORD);
    await request(app).put('/api/users/sam').set('Cookie', admin).send({ disabled: true }).expect(200);
    expect(await me(c2)).toBe(401);
    expect((await request(app).post('/api/auth/login').send({ user: 'sam', password: 'sam has a new password' })).status).toBe(401);
    // the absolute limit: a week after sign-in, however busy
    const e = await login('admin', ADMIN_PASSWORD);
    for (let i = 0; i < 8 * 24; i++) {
      now += 59 * 60_000;
      if ((await me(e)) === 401) break;
    }
    expect(await me(e)).toBe(401);
    auth.close();
  });

  it('administers users over the API: add, grant, refuse bad input, keep one admin', async () => {
    const add = await request(h.app).post('/api/users').send({ name: 'rosa', role: 'analyst', password: TEST_PASSWORD, cases: ['lima-2023'] }).expect(201);
    expect(add.body).toMatchObject({ name: 'rosa', role: 'analyst', disabled: false, cases: ['lima-2023'] });
    expect(JSON.stringify(add.body)).not.toMatch(/password|scrypt/);
    expect((await request(h.app).post('/api/users').send({ name: 'rosa', role: 'viewer', password: TEST_PASSWORD })).status).toBe(409);
    expect((await request(h.app).post('/api/users').send({ name: '<script>', role: 'viewer', password: TEST_PASSWORD })).status).toBe(400);
    expect((await request(h.app).post('/api/users').send({ name: 'tiny', role: 'viewer', password: 'short' })).body.message).toMatch(/at least 12/);
    expect((await request(h.app).put('/api/users/admin').send({ role: 'viewer' })).status).toBe(409);
    const users = (await request(h.app).get('/api/users').expect(200)).body.users;
    expect(users.map((u: { name: string }) => u.name)).toContain('rosa');
    expect(h.auth.store.queryAudit({ action: 'user.create', limit: 1 })[0]).toMatchObject({ actor: 'admin', target: 'rosa', details: { role: 'analyst', cases: ['lima-2023'] } });
  });

  it('keeps the audit trail append-only, shows tampering, filters, pages and exports it as JSON lines', async () => {
    const file = join(h.dir, 'access.sqlite');
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit SET actor = 'someone' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect((await request(h.app).get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: true });

    const page1 = (await request(h.app).get('/api/audit?limit=5').expect(200)).body.entries;
    expect(page1).toHaveLength(5);
    const page2 = (await request(h.app).get(`/api/audit?limit=5&before=${page1[4].seq}`).expect(200)).body.entries;
    expect(page2[0].seq).toBe(page1[4].seq - 1);
    const logins = (await request(h.app).get('/api/audit?action=auth&outcome=refused').expect(200)).body.entries;
    expect(logins.length).toBeGreaterThan(3);
    expect(logins.every((e: { action: string; outcome: string }) => e.action.startsWith('auth.') && e.outcome === 'refused')).toBe(true);
    expect((await request(h.app).get('/api/audit?from=2999-01-01').expect(200)).body.entries).toEqual([]);

    const total = h.auth.store.verifyAudit().entries;
    const exp = await request(h.app).get('/api/audit/export').buffer(true).parse((res, cb) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c.toString()));
      res.on('end', () => cb(null, s));
    }).expect(200);
    expect(exp.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = (exp.body as string).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(total);
    expect(lines.map((l: { seq: number }) => l.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (let i = 1; i < lines.length; i++) expect(lines[i].prev).toBe(lines[i - 1].hash);
    expect(h.auth.store.queryAudit({ limit: 1 })[0]).toMatchObject({ action: 'audit.export', actor: 'admin', outcome: 'ok' });

    // someone edits the file behind the application's back: the chain says where
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'someone else' WHERE seq = 3").run();
    db.close();
    expect((await request(h.app).get('/api/audit/verify').expect(200)).body).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('sends helmet headers with a strict CSP, and refuses bodies nested too deep', async () => {
    const r = await request(h.raw).get('/api/health').expect(200);
    expect(r.headers['x-powered-by']).toBeUndefined();
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(r.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.body.counts).toBeUndefined(); // signed out: no counts
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const d = await request(h.app).post('/api/subgraph').send({ ids: ['x'], linkTypes: deep });
    expect(d.status).toBe(400);
    expect(d.body.message).toMatch(/nested deeper than 32/);
    // a pathological nesting JSON.parse itself refuses is a 400 too, and the server answers after it
    const bomb = await request(h.app).post('/api/subgraph').set('Content-Type', 'application/json').send('['.repeat(200_000));
    expect(bomb.status).toBe(400);
    expect((await request(h.app).get('/api/auth/me')).status).toBe(200);
  });
});

describe('passwords', () => {
  it('are scrypt hashes with their parameters and a random salt; verification is exact', async () => {
    const a = await hashPassword('the same password');
    const b = await hashPassword('the same password');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('the same password', a)).toBe(true);
    expect(await verifyPassword('the same passworD', a)).toBe(false);
    expect(await verifyPassword('the same password', null)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999999$8$1$AAAA$AAAA')).toBe(false); // absurd parameters are not run
    expect(randomPassword()).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
  });
});
