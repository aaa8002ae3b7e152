// The HTTP API on a real embedded store: validation, error shape, imports, views, OpenAPI.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticAndroid } from '../../seed/generators/android.ts';
import { expandView } from '../../backend/src/model/compact-view.ts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builder } from '../factories.ts';
import { makeApp } from './harness.ts';

const SEED = join(import.meta.dirname, '../../seed/lima/lima-raid.report.yaml');
const FIX = join(import.meta.dirname, '../fixtures/report');

describe('API', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  const logged: string[] = [];
  beforeAll(async () => {
    h = await makeApp({ maxUploadBytes: 64 * 1024, log: { error: (m, f) => logged.push(`${m} ${JSON.stringify(f)}`), warn() {}, info() {}, debug() {} } });
    const r = await request(h.app).post('/api/imports?name=lima-raid.report.yaml').set('Content-Type', 'application/octet-stream').send(readFileSync(SEED));
    expect(r.status).toBe(201);
  });
  afterAll(() => h.close());

  const upload = (name: string, body: Buffer | string, qs = '') =>
    request(h.app).post(`/api/imports?name=${encodeURIComponent(name)}${qs}`).set('Content-Type', 'application/octet-stream').send(Buffer.from(body));

  it('reports health with the store and counts', async () => {
    const r = await request(h.app).get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', store: { store: 'embedded', status: 'up' } });
    expect(r.body.counts.entities).toBeGreaterThan(30);
  });

  it('searches, with types and limits validated', async () => {
    const r = await request(h.app).get('/api/search').query({ q: 'amsterdam' });
    expect(r.status).toBe(200);
    expect(r.body.hits[0]).toMatchObject({ type: 'Place', label: 'Amsterdam' });
    const bad = await request(h.app).get('/api/search').query({ q: 'x', types: 'Phnoe' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('bad_request');
    expect(bad.body.message).toMatch(/^query\.types/);
    expect((await request(h.app).get('/api/search').query({ q: 'x', limit: '1000' })).status).toBe(400);
    expect((await request(h.app).get('/api/search')).body.code).toBe('bad_request');
  });

  it('returns an entity with its sources, and 404 for an unknown id', async () => {
    const [hit] = (await request(h.app).get('/api/search').query({ q: 'Red Dragon' })).body.hits;
    const r = await request(h.app).get(`/api/entities/${hit.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ label: 'Red Dragon', type: 'Organization', cases: ['lima-2023'] });
    expect(r.body.sources[0]).toMatchObject({ sourceName: 'lima-raid.report.yaml', locator: '¶9' });
    const missing = await request(h.app).get('/api/entities/org_nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'not_found', message: 'no entity with id org_nope' });
  });

  it('expands neighbours with filters and a reported cap', async () => {
    const [hit] = (await request(h.app).get('/api/search').query({ q: 'Police raid' })).body.hits;
    const all = await request(h.app).get(`/api/entities/${hit.id}/neighbours`);
    expect(all.status).toBe(200);
    expect(all.body.capped).toBe(false);
    const n = all.body.entities.length;
    expect(n).toBeGreaterThan(10);
    const capped = await request(h.app).get(`/api/entities/${hit.id}/neighbours`).query({ limit: 3 });
    expect(capped.body).toMatchObject({ capped: true, cap: 3, total: n - 1 });
    expect(capped.body.entities).toHaveLength(4); // the seed plus 3
    const people = await request(h.app).get(`/api/entities/${hit.id}/neighbours`).query({ entityTypes: 'Person' });
    expect(people.body.entities.filter((e: { type: string }) => e.type !== 'Person')).toHaveLength(1); // only the seed event
    expect((await request(h.app).get(`/api/entities/${hit.id}/neighbours`).query({ depth: 9 })).status).toBe(400);
  });

  it('lists cases and draws an overview', async () => {
    const cases = await request(h.app).get('/api/cases');
    expect(cases.body.cases[0]).toMatchObject({ name: 'lima-2023', sources: 1 });
    const ov = await request(h.app).get('/api/cases/lima-2023/overview');
    expect(ov.status).toBe(200);
    expect(ov.body.entities.length).toBe(cases.body.cases[0].entities);
    expect(ov.body.links.length).toBeGreaterThan(40);
    expect((await request(h.app).get('/api/cases/nope/overview')).status).toBe(404);
  });

  it('finds paths between two entities and says plainly when there is none', async () => {
    const id = async (q: string) => (await request(h.app).get('/api/search').query({ q })).body.hits[0].id as string;
    const [suspect, embassy] = [await id('Taiwanese suspect 1'), await id('Embassy of Malaysia')];
    const r = await request(h.app).get('/api/paths').query({ from: suspect, to: embassy, k: 6 });
    expect(r.status).toBe(200);
    const path = r.body.paths[0];
    expect(path.entities[0]).toBe(suspect);
    expect(path.entities.at(-1)).toBe(embassy);
    expect(path.links).toHaveLength(path.entities.length - 1);
    expect(r.body.view.links.map((l: { id: string }) => l.id).sort()).toEqual([...path.links].sort());
    expect(r.body.message).toMatch(/^1 path, shortest \d hops/);
    const none = await request(h.app).get('/api/paths').query({ from: suspect, to: embassy, k: 1 });
    expect(none.body).toMatchObject({ paths: [], message: 'No path within 1 hop.' });
    const all = await request(h.app).get('/api/paths').query({ from: suspect, to: embassy, k: 5, mode: 'all' });
    expect(all.body.paths.length).toBeGreaterThan(1);
    expect(all.body.paths.every((p: { links: string[] }) => p.links.length <= 5)).toBe(true);
    const onlyMembers = await request(h.app).get('/api/paths').query({ from: suspect, to: embassy, k: 6, linkTypes: 'MEMBER_OF' });
    expect(onlyMembers.body.message).toBe('No path within 6 hops using MEMBER_OF.');
    expect((await request(h.app).get('/api/paths').query({ from: suspect, to: embassy, k: 7 })).status).toBe(400);
    expect((await request(h.app).get('/api/paths').query({ from: suspect, to: 'per_nope' })).status).toBe(404);
  });

  it('returns a subgraph for a list of ids (restoring a saved view)', async () => {
    const ov = (await request(h.app).get('/api/cases/lima-2023/overview')).body;
    const ids = ov.entities.slice(0, 10).map((e: { id: string }) => e.id);
    const r = await request(h.app).get('/api/subgraph').query({ ids: [...ids, 'per_unknown'].join(',') });
    expect(r.status).toBe(200);
    expect(r.body.entities.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
    const inside = new Set(ids);
    expect(r.body.links.every((l: { from: string; to: string }) => inside.has(l.from) && inside.has(l.to))).toBe(true);
    expect((await request(h.app).get('/api/subgraph').query({ ids: '' })).status).toBe(400);
    const viaPost = await request(h.app).post('/api/subgraph').send({ ids: [...ids, 'per_unknown'] });
    expect(viaPost.status).toBe(200);
    expect(viaPost.body.links.length).toBe(r.body.links.length);
    expect((await request(h.app).post('/api/subgraph').send({ ids: [] })).status).toBe(400);
  });

  it('finds common neighbours of a selection', async () => {
    const id = async (q: string) => (await request(h.app).get('/api/search').query({ q })).body.hits[0].id as string;
    const [a, b, group] = [await id('Taiwanese suspect 1'), await id('Taiwanese suspect 2'), await id('Red Dragon')];
    const r = await request(h.app).get('/api/common-neighbours').query({ ids: `${a},${b}` });
    expect(r.status).toBe(200);
    expect(r.body.common).toContain(group);
    expect((await request(h.app).get('/api/common-neighbours').query({ ids: a })).status).toBe(400);
  });

  it('lists cross-device hits (none in a report-only case)', async () => {
    const r = await request(h.app).get('/api/cross-device-hits');
    expect(r.status).toBe(200);
    expect(r.body.hits).toEqual([]);
    expect((await request(h.app).get('/api/cross-device-hits').query({ minDevices: 1 })).status).toBe(400);
  });

  it('says already imported for the same bytes, and changes nothing', async () => {
    const before = (await request(h.app).get('/api/health')).body.counts;
    const r = await upload('renamed.yaml', readFileSync(SEED));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'already_imported', case: 'lima-2023', entities: { created: 0, merged: 0 } });
    expect((await request(h.app).get('/api/health')).body.counts).toEqual(before);
  });

  it.each(readdirSync(FIX).filter((f) => f.startsWith('bad-') || f.startsWith('dup-') || f.startsWith('missing-') || f.startsWith('alias-')))(
    'refuses broken report %s with 422, file and position, writing nothing',
    async (file) => {
      const before = (await request(h.app).get('/api/health')).body.counts;
      const r = await upload(file, readFileSync(join(FIX, file)));
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('import_failed');
      expect(r.body.message.startsWith(file)).toBe(true);
      expect(r.body.details.file).toBe(file);
      expect((await request(h.app).get('/api/health')).body.counts).toEqual(before);
    },
  );

  it('refuses unknown formats, empty and oversized uploads, and hostile names', async () => {
    const unknown = await upload('notes.bin', Buffer.from([0, 1, 2, 3]));
    expect(unknown.status).toBe(415);
    expect(unknown.body.code).toBe('unsupported_format');
    const empty = await request(h.app).post('/api/imports?name=empty.yaml').set('Content-Type', 'application/octet-stream').send(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const big = await upload('big.report.yaml', Buffer.alloc(100 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
    const trav = await upload('../../etc/passwd', 'casegraph: report/1\n');
    expect(trav.status).toBe(422);
    expect(trav.body.message.startsWith('passwd')).toBe(true);
    // the server still answers after all of this
    expect((await request(h.app).get('/api/health')).status).toBe(200);
  });

  it('takes the seized handset of a device database from the query, and refuses a bad IMEI with 400 before reading the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-api-device-'));
    try {
      const android = writeSyntheticAndroid(dir, { seed: 5, calls: 4, contacts: 2, sms: 2 });
      // contacts2.db names no own number: the one given becomes the handset's line
      const body = readFileSync(android.files.contacts2);
      const before = (await request(h.app).get('/api/health')).body.counts;
      const bad = await upload('contacts2.db', body, '&deviceImei=12-34');
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'bad_request', message: 'device IMEI "12-34" is not 14–16 digits' });
      expect((await request(h.app).get('/api/health')).body.counts).toEqual(before);
      const ok = await upload('contacts2.db', body, '&case=lima-2023&deviceImei=356938035643809&deviceNumber=%2B60123456789');
      expect(ok.status).toBe(201);
      const hits = await request(h.app).get('/api/search?q=356938035643809&types=Device');
      expect(hits.body.hits).toHaveLength(1);
      const owner = await request(h.app).get(`/api/entities/${hits.body.hits[0].id}/neighbours?linkTypes=USES_PHONE`);
      expect(owner.body.entities.map((e: { label: string }) => e.label)).toContain('+60123456789');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends views as rows on shape=compact, which expand to exactly the plain view (neighbours, subgraph, overview)', async () => {
    const hits = (await request(h.app).get('/api/search?q=Red%20Dragon')).body.hits as { id: string }[];
    const id = hits[0].id;
    const pairs: [string, string, 'get' | 'post'][] = [
      [`/api/entities/${id}/neighbours?depth=2&limit=50`, `/api/entities/${id}/neighbours?depth=2&limit=50&shape=compact`, 'get'],
      ['/api/cases/lima-2023/overview?limit=80', '/api/cases/lima-2023/overview?limit=80&shape=compact', 'get'],
    ];
    for (const [plainUrl, compactUrl] of pairs) {
      const plain = await request(h.app).get(plainUrl);
      const compact = await request(h.app).get(compactUrl);
      expect(compact.status).toBe(200);
      expect(compact.body.shape).toBe('compact-1');
      expect(compact.body.links.length).toBeGreaterThan(3);
      expect(Array.isArray(compact.body.links[0])).toBe(true);
      expect(expandView(compact.body)).toEqual(plain.body);
      expect(compact.text.length).toBeLessThan(plain.text.length);
    }
    const ids = (await request(h.app).get(pairs[0][0])).body.entities.map((e: { id: string }) => e.id);
    const plain = await request(h.app).post('/api/subgraph').send({ ids });
    const compact = await request(h.app).post('/api/subgraph?shape=compact').send({ ids });
    expect(expandView(compact.body)).toEqual(plain.body);
    expect((await request(h.app).get(`/api/entities/${id}/neighbours?shape=rows`)).status).toBe(400);
  });

  it('imports a report into another case and merges shared places', async () => {
    const r = await upload('minimal.report.yaml', readFileSync(join(FIX, 'minimal.report.yaml')));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'applied', case: 'fixture-case', format: 'report' });
    expect(r.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const cases = (await request(h.app).get('/api/cases')).body.cases.map((c: { name: string }) => c.name);
    expect(cases).toEqual(['fixture-case', 'lima-2023']);
    // the source names who imported it: the signed-in user
    expect((await h.store.listSources('fixture-case')).map((x) => x.importedBy)).toEqual(['admin']);
  });

  it('runs an import as a job with progress when asked, and reports a refused one', async () => {
    const body = 'casegraph: report/1\ncase: job-case\ndocument: { title: "Synthetic job report" }\nentities:\n  - { ref: a, type: Person, label: "Job Person", at: "1" }\n';
    const started = await upload('job.report.yaml', body, '&async=true');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'import', label: 'job.report.yaml' });
    let job = started.body;
    for (let i = 0; i < 100 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = (await request(h.app).get(`/api/jobs/${job.id}`)).body;
    }
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ status: 'applied', case: 'job-case', entities: { created: 2 } });
    expect(job.progress.records).toBeGreaterThan(0);
    const bad = await upload('bad.report.yaml', body.replace('Person', 'Persn'), '&async=true');
    let badJob = bad.body;
    for (let i = 0; i < 100 && badJob.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      badJob = (await request(h.app).get(`/api/jobs/${badJob.id}`)).body;
    }
    expect(badJob).toMatchObject({ state: 'failed', error: { code: 'import_failed' } });
    expect(badJob.error.message).toMatch(/^bad\.report\.yaml entities\[0\]\.type/);
    expect((await upload('x.bin', Buffer.from([1, 2, 3]), '&async=true')).status).toBe(415);
    expect((await request(h.app).get('/api/jobs/not-a-uuid')).status).toBe(400);
  });

  it('detects a format from the head of a file and lists formats', async () => {
    const r = await request(h.app).post('/api/imports/detect?name=x.yaml').set('Content-Type', 'application/octet-stream').send(Buffer.from('casegraph: report/1\n'));
    expect(r.body.format).toBe('report');
    const formats = await request(h.app).get('/api/formats');
    expect(formats.body.formats.map((f: { format: string }) => f.format)).toContain('report');
  });

  it('answers unknown routes and methods with the error shape, never a stack', async () => {
    const r = await request(h.app).get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    const bad = await request(h.app).get('/api/entities/%E0%A4%A');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const r = await request(h.app).get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/health', '/search', '/entities/{id}', '/entities/{id}/neighbours', '/cases', '/cases/{name}/overview', '/imports']));
    const search = r.body.paths['/search'].get;
    expect(search.parameters.map((p: { name: string }) => p.name)).toEqual(['q', 'types', 'limit']);
    expect(search.parameters[0].required).toBe(true);
    expect(r.body.paths['/imports'].post.requestBody.content['application/octet-stream']).toBeDefined();
  });

  it('sends security headers', async () => {
    const r = await request(h.app).get('/api/health');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('never logged an unhandled error during this suite', () => {
    expect(logged).toEqual([]);
  });
});

describe('cross-site writes (CSRF)', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  beforeAll(async () => {
    h = await makeApp();
  });
  afterAll(() => h.close());
  const report = readFileSync(SEED);

  it('refuses a state-changing request a browser marks as from another site, and writes nothing', async () => {
    const before = await h.store.counts();
    // a form on another site posting text/plain into the upload route (no preflight would stop it)
    const forged = await request(h.app).post('/api/imports?name=lima-raid.report.yaml').set('Content-Type', 'text/plain')
      .set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site').send(report.toString('utf8'));
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('forbidden');
    const originOnly = await request(h.app).post('/api/merges').set('Origin', 'https://evil.example').send({ keep: 'a', merge: 'b', reason: 'x' });
    expect(originOnly.status).toBe(403);
    const opaque = await request(h.app).post('/api/imports?name=a.report.yaml').set('Origin', 'null').send(report);
    expect(opaque.status).toBe(403);
    expect(await h.store.counts()).toEqual(before);
  });

  it('lets the explorer itself (same origin), non-browser clients and reads through', async () => {
    const host = '127.0.0.1:8080';
    const same = await request(h.app).post('/api/imports?name=lima-raid.report.yaml').set('Host', host).set('Origin', `http://${host}`)
      .set('Sec-Fetch-Site', 'same-origin').set('Content-Type', 'application/octet-stream').send(report);
    expect(same.status).toBe(201);
    const read = await request(h.app).get('/api/search').query({ q: 'amsterdam' }).set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site');
    expect(read.status).toBe(200);
    const cli = await request(h.app).post('/api/imports?name=minimal.report.yaml').set('Content-Type', 'application/octet-stream').send(readFileSync(join(FIX, 'minimal.report.yaml')));
    expect(cli.status).toBe(201);
  });
});

describe('API graph views on the wire', () => {
  it('leave out empty link props and phones\' search aliases, in every view route; the entity keeps them all', async () => {
    const h = await makeApp();
    try {
      const b = builder({ name: 'wire.csv', case: 'wire' });
      const dev = b.entity('Device', { label: 'Handset', props: { imei: '356938035643809' }, locator: 'info' });
      const own = b.phone('+51 987 654 321', { locator: 'own' }).id;
      const boss = b.phone('+886 912 345 678', { locator: 'contact 1', aliases: ['Boss'] }).id;
      b.link('USES_PHONE', dev, own, 'own');
      b.link('HAS_CONTACT', dev, boss, 'contact 1', { name: 'Boss' });
      b.event('CALLED', own, boss, { kind: 'call', at: new Date('2023-09-30T12:00:00Z'), durationS: 5, locator: 'call 1' });
      await h.store.apply(b.build());
      type Wire = { entities: { id: string; type: string; props: Record<string, unknown> }[]; links: { type: string; props?: unknown }[] };
      const check = (view: Wire) => {
        const phones = view.entities.filter((e) => e.type === 'Phone');
        expect(phones).toHaveLength(2);
        expect(phones.every((p) => typeof p.props.number === 'string' && !('aliases' in p.props))).toBe(true);
        expect(view.entities.find((e) => e.id === dev)?.props).toEqual({ imei: '356938035643809' });
        const link = (type: string) => view.links.find((l) => l.type === type)!;
        expect(link('HAS_CONTACT').props).toEqual({ name: 'Boss' });
        expect('props' in link('USES_PHONE')).toBe(false);
        expect(link('CALLED')).toEqual({ id: expect.any(String), type: 'CALLED', from: own, to: boss, count: 1, durationS: 5, firstAt: '2023-09-30T12:00:00.000Z', lastAt: '2023-09-30T12:00:00.000Z' });
      };
      check((await request(h.app).get(`/api/entities/${own}/neighbours`).query({ depth: 2 })).body);
      check((await request(h.app).get('/api/subgraph').query({ ids: [dev, own, boss].join(',') })).body);
      check((await request(h.app).post('/api/subgraph').send({ ids: [dev, own, boss] })).body);
      check((await request(h.app).get('/api/cases/wire/overview')).body);
      const common = (await request(h.app).get('/api/common-neighbours').query({ ids: `${own},${boss}` })).body;
      expect(common.common).toEqual([dev]);
      check(common.view);
      const path = (await request(h.app).get('/api/paths').query({ from: dev, to: boss, k: 2, mode: 'all' })).body;
      expect(path.view.entities.every((e: { props: object }) => !('aliases' in e.props))).toBe(true);
      expect(path.view.links.filter((l: object) => !('props' in l)).length).toBeGreaterThan(0);
      // the store's views and the entity itself are untouched
      const stored = await h.store.neighbours([own], { depth: 2, limit: 500 });
      expect(stored.links.every((l) => l.props !== undefined)).toBe(true);
      expect((await request(h.app).get(`/api/entities/${boss}`)).body.props.aliases).toContain('Boss');
      // and the OpenAPI document says so
      const doc = (await request(h.app).get('/api/openapi.json')).body;
      const [schema, compact] = doc.paths['/entities/{id}/neighbours'].get.responses['200'].content['application/json'].schema.anyOf;
      expect(schema.properties.links.items.required).toEqual(['id', 'type', 'from', 'to']);
      expect(schema.description).toMatch(/aliases/);
      // the compact shape (rows) is the other answer
      expect(compact.properties.shape.const).toBe('compact-1');
    } finally {
      await h.close();
    }
  });
});
