// Property-based hostile requests against every route the OpenAPI document lists: random and mutated
// path parameters, query strings and bodies (JSON, non-JSON, deep nesting, raw bytes). The API may
// refuse (4xx with the one error shape) but never answers 500, never leaks a stack or a path, and
// keeps answering afterwards.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from './harness.ts';

const SEED = join(import.meta.dirname, '../../seed/lima/lima-raid.report.yaml');

interface Op {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  params: { name: string; in: 'path' | 'query' }[];
  json: boolean;
  binary: boolean;
}

const HOSTILE = ['', ' ', '0', '-1', '1e309', 'NaN', 'true', 'null', '[]', '{}', '%', '%00', '..', '../../etc/passwd', '<img src=x onerror=alert(1)>', "' OR 1=1 --", '") RETURN n //', '\u0000', 'a'.repeat(5000), '2023-02-30', 'Person', 'CALLED', ',,,', 'a,b,c'];

const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 12 }));

/** JSON bodies: arbitrary values, objects with the route's own keys, and very deep nesting. */
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('scope', 'ids', 'case', 'window', 'a', 'b', 'kind', 'entityId', 'text', 'format', 'entities', 'links', 'extractionId', 'view', 'bucket', 'from', 'to'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
  fc.integer({ min: 50, max: 3000 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
);

describe('every route under random input (fast-check)', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  let ops: Op[] = [];
  let knownId = '';
  const errors: string[] = [];
  /** who sends each request: every role, and nobody */
  const who: Record<string, Parameters<typeof request>[0]> = {};

  beforeAll(async () => {
    h = await makeApp({ maxUploadBytes: 256 * 1024, log: { error: (m, f) => errors.push(`${m} ${JSON.stringify(f)}`), warn() {}, info() {}, debug() {} } });
    const r = await request(h.app).post('/api/imports?name=lima-raid.report.yaml').set('Content-Type', 'application/octet-stream').send(readFileSync(SEED));
    expect(r.status).toBe(201);
    knownId = (await request(h.app).get('/api/search').query({ q: 'Amsterdam' })).body.hits[0].id;
    Object.assign(who, { admin: h.app, analyst: await h.as('ana', 'analyst', ['lima-2023']), viewer: await h.as('vic', 'viewer', ['lima-2023']), nobody: h.raw });
    const doc = (await request(h.app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, { parameters: { name: string; in: 'path' | 'query' }[]; requestBody?: { content: Record<string, unknown> } }>> };
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method as Op['method'], path, params: op.parameters ?? [],
        json: !!op.requestBody?.content['application/json'], binary: !!op.requestBody?.content['application/octet-stream'],
      })),
    // signing out would end the fuzzing sessions (test/api/auth.test.ts covers it)
    ).filter((o) => o.path !== '/auth/logout');
  });
  afterAll(() => h.close());

  it('lists the routes it fuzzes', () => {
    expect(ops.length).toBeGreaterThan(25);
  });

  it('answers every route with a 2xx or a well-formed 4xx, never a 500', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), text), { maxLength: 5 }),
        fc.oneof(jsonBody.map((j) => ({ kind: 'json' as const, j })), fc.uint8Array({ maxLength: 2048 }).map((b) => ({ kind: 'bytes' as const, b })), fc.string({ maxLength: 200 }).map((s) => ({ kind: 'text' as const, s }))),
        fc.boolean(),
        fc.constantFrom('admin', 'analyst', 'viewer', 'nobody'),
        async (pick, values, body, useKnownId, as) => {
          const op = ops[pick % ops.length];
          const q: Record<string, string> = {};
          let path = op.path;
          values.forEach(([i, v], k) => {
            const p = op.params[(i + k) % Math.max(1, op.params.length)];
            if (!p) return;
            if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(useKnownId && p.name === 'id' ? knownId : v));
            else q[p.name] = v;
          });
          path = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' && useKnownId ? knownId : 'x'));
          let req = request(who[as])[op.method](`/api${path}`).query(q);
          if (op.method !== 'get' && op.method !== 'delete') {
            if (body.kind === 'json') req = req.set('Content-Type', 'application/json').send(JSON.stringify(body.j));
            else if (body.kind === 'bytes') req = req.set('Content-Type', op.binary ? 'application/octet-stream' : 'application/json').send(Buffer.from(body.b));
            else req = req.set('Content-Type', 'text/plain').send(body.s);
          }
          const r = await req;
          seen.set(`${op.method} ${op.path}`, (seen.get(`${op.method} ${op.path}`) ?? 0) + 1);
          expect(r.status, `${as}: ${op.method.toUpperCase()} /api${path} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
          if (as === 'nobody' && !['/health', '/auth/login', '/openapi.json'].includes(op.path)) expect(r.status).toBe(401);
          if (r.status >= 400) {
            expect(r.body).toMatchObject({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
            expect(r.text).not.toMatch(/\bat \S+ \(|node_modules|\/work\/|\.ts:\d+/);
          }
        },
      ),
      { numRuns: 1500, seed: 7102023, endOnFailure: true },
    );
    // nearly every route was reached, and the server still answers
    expect(seen.size).toBeGreaterThan(ops.length * 0.9);
    expect((await request(h.app).get('/api/health')).status).toBe(200);
    // and the sessions were still signed in at the end (the fuzzing reached the routes, not just the 401)
    for (const as of ['admin', 'analyst', 'viewer']) expect((await request(who[as]).get('/api/auth/me')).status).toBe(200);
    expect(errors).toEqual([]);
  }, 300_000);
});
