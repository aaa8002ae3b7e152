// Per-case access for everything that is not a plain graph read: imports, snapshot opening, report text,
// notes and merges, analysis, exports and jobs. Two cases on a real embedded store: case-a (a cell) and
// case-b (a second source that shares some of case-a's entities and adds its own). "ana" is an analyst
// and "vic" a viewer, both granted case-a only; the admin sees both and must see no difference.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type Handler } from './harness.ts';
import { builder, buildCell } from '../factories.ts';

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

const reportYaml = (caseName: string, label: string) => `casegraph: report/1
case: ${caseName}
document: { title: "Synthetic report ${label}" }
entities:
  - { ref: a, type: Person, label: "${label}", at: "1" }
`;

/** case-a: the cell. case-b: the same boss, org and phone p1 (shared), plus a witness and a phone p3 only it asserts. */
function seed() {
  const a = buildCell({ case: 'case-a', name: 'a-device.xml', content: 'case-a source' });
  const b = builder({ case: 'case-b', name: 'b-secret-device.xml', content: 'case-b source' });
  const boss = b.entity('Person', { key: 'boss', label: 'Chén Dàlóng', locator: 'b-locator-boss' });
  const org = b.entity('Organization', { key: 'org', label: 'Red Dragon', locator: 'b-locator-org' });
  const house = b.entity('Address', { key: 'house', label: 'House in La Molina', locator: 'b-locator-house' });
  const secret = b.entity('Person', { key: 'secret', label: 'Secret Witness', locator: 'b-locator-secret' });
  const p1 = b.phone('+60 3-2161 1111', { region: 'MY', locator: 'b-locator-p1' }).id;
  const p3 = b.phone('+51 1 555 1234', { region: 'PE', locator: 'b-locator-p3' }).id;
  b.link('MEMBER_OF', secret, org, 'b-locator-member');
  b.link('USES_PHONE', secret, p3, 'b-locator-uses');
  // a link only case-b asserts between two entities case-a also asserts
  b.link('HELD_AT', boss, house, 'b-locator-held');
  b.event('CALLED', p1, p3, { kind: 'call', at: new Date('2023-09-22T09:00:00Z'), durationS: 30, locator: 'b-calls/1' });
  b.event('CALLED', p1, p3, { kind: 'call', at: new Date('2023-09-23T09:00:00Z'), durationS: 30, locator: 'b-calls/2' });
  return { a: a.b.build(), b: b.build(), ids: { ...a.ids, secret, p3, bBoss: boss, bOrg: org, bHouse: house, bP1: p1 } };
}

describe('per-case access: imports, text, annotations, analysis, exports, jobs', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  let ana: Handler;
  let vic: Handler;
  let ids: ReturnType<typeof seed>['ids'];
  let bSha: string;
  let adminSnapshot: Buffer;
  const counts = async () => {
    const c = await h.store.counts();
    return { entities: c.entities, links: c.links, events: c.events, sources: c.sources };
  };

  beforeAll(async () => {
    h = await makeApp();
    const s = seed();
    ids = s.ids;
    bSha = s.b.source.sha256;
    await h.store.apply(s.a);
    await h.store.apply(s.b);
    ana = await h.as('ana', 'analyst', ['case-a']);
    vic = await h.as('vic', 'viewer', ['case-a']);
    // the admin's snapshot of the shared boss: both sources (made now, before anything else is written)
    const snap = await request(h.app).post('/api/snapshots').send({ ids: [ids.boss], view: {} }).buffer(true).parse(binary);
    expect(snap.status).toBe(200);
    adminSnapshot = snap.body as Buffer;
  });
  afterAll(() => h.close());

  it('the fixture shares entities between the cases', () => {
    expect(ids.bBoss).toBe(ids.boss);
    expect(ids.bOrg).toBe(ids.org);
    expect(ids.bHouse).toBe(ids.house);
    expect(ids.bP1).toBe(ids.p1);
    expect(adminSnapshot.toString('utf8')).toContain(bSha);
  });

  describe('imports', () => {
    const upload = (as: Handler, query: Record<string, string>, body: string) =>
      request(as).post('/api/imports').query(query).set('Content-Type', 'application/octet-stream').send(Buffer.from(body));

    it('an analyst imports into a granted case only: another case is 403 before anything is written', async () => {
      const before = await counts();
      const refused = await upload(ana, { name: 'x.report.yaml', case: 'case-b' }, reportYaml('case-b', 'Intruder'));
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      // async: refused before the upload is spooled, no job
      const refusedJob = await upload(ana, { name: 'x.report.yaml', case: 'case-b', async: 'true' }, reportYaml('case-b', 'Intruder'));
      expect(refusedJob.status).toBe(403);
      // no ?case=: the default case (lima-2023) is not hers either
      expect((await upload(ana, { name: 'x.report.yaml' }, reportYaml('case-a', 'Intruder'))).status).toBe(403);
      expect(await counts()).toEqual(before);
      expect((await h.store.listSources()).map((x) => x.case).sort()).toEqual(['case-a', 'case-b']);
      // the refusal is in the audit trail
      expect(h.auth.store.queryAudit({ action: 'import' }).some((e) => e.actor === 'ana' && e.outcome === 'refused')).toBe(true);

      const ok = await upload(ana, { name: 'ok.report.yaml', case: 'case-a' }, reportYaml('case-b', 'Ana Import'));
      expect(ok.status).toBe(201);
      expect(ok.body.case).toBe('case-a');
      expect((await counts()).sources).toBe(before.sources + 1);
    });

    it('a file that names another case is refused after it is read, before it is written', async () => {
      // granted the default case: the pre-check passes, the report itself says case-b
      const lim = await h.as('lim', 'analyst', ['lima-2023']);
      const before = await counts();
      const r = await upload(lim, { name: 'named.report.yaml' }, reportYaml('case-b', 'Named Case'));
      expect(r.status).toBe(403);
      expect(await counts()).toEqual(before);
      // as a job: the job fails as forbidden, nothing written
      const job = await upload(lim, { name: 'named.report.yaml', async: 'true' }, reportYaml('case-b', 'Named Case'));
      expect(job.status).toBe(202);
      const done = await poll(lim, job.body.id);
      expect(done).toMatchObject({ state: 'failed', error: { code: 'forbidden' } });
      expect(await counts()).toEqual(before);
      // into the default case it goes
      expect((await upload(lim, { name: 'lima.report.yaml' }, reportYaml('lima-2023', 'Lima Person'))).status).toBe(201);
    });

    it('a viewer may not import at all (role), even into her case', async () => {
      const before = await counts();
      const r = await upload(vic, { name: 'v.report.yaml', case: 'case-a' }, reportYaml('case-a', 'Viewer Import'));
      expect(r.status).toBe(403);
      expect(r.body.message).toMatch(/viewer/);
      expect(await counts()).toEqual(before);
    });

    it('the admin imports anywhere', async () => {
      const r = await upload(h.app, { name: 'adm.report.yaml', case: 'case-b' }, reportYaml('case-b', 'Admin Import'));
      expect(r.status).toBe(201);
    });
  });

  describe('jobs', () => {
    it('a job is seen by the user who started it and by admins; to others it does not exist', async () => {
      const r = await request(ana).post('/api/imports').query({ name: 'job.report.yaml', case: 'case-a', async: 'true' })
        .set('Content-Type', 'application/octet-stream').send(Buffer.from(reportYaml('case-a', 'Job Person')));
      expect(r.status).toBe(202);
      const id = r.body.id as string;
      expect((await poll(ana, id)).state).toBe('done');
      const other = await request(vic).get(`/api/jobs/${id}`);
      expect(other.status).toBe(404);
      expect(other.body.message).toBe(`no job ${id}`);
      const colleague = await h.as('ben', 'analyst', ['case-a']);
      expect((await request(colleague).get(`/api/jobs/${id}`)).status).toBe(404);
      expect((await request(h.app).get(`/api/jobs/${id}`)).status).toBe(200);
      expect((await request(ana).get(`/api/jobs/${id}`)).body.result).toMatchObject({ case: 'case-a', status: 'applied' });
    });

    it('key players as a job: an ungranted case is 404 before any job; the job is the starter\'s', async () => {
      const refused = await request(ana).post('/api/key-players?async=true').send({ scope: { case: 'case-b' } });
      expect(refused.status).toBe(404);
      const r = await request(ana).post('/api/key-players?async=true').send({ scope: { ids: [ids.boss, ids.org, ids.secret] } });
      expect(r.status).toBe(202);
      const done = await poll(ana, r.body.id);
      expect(done.state).toBe('done');
      expect(done.result.nodes.map((n: { id: string }) => n.id).sort()).toEqual([ids.boss, ids.org].sort());
      expect((await request(vic).get(`/api/jobs/${r.body.id}`)).status).toBe(404);
    });
  });

  describe('notes and merges', () => {
    it('a note on an entity only case-b asserts is 404, as a missing one; a shared one is fine', async () => {
      const hidden = await request(ana).post(`/api/entities/${ids.secret}/notes`).send({ text: 'x' });
      expect(hidden.status).toBe(404);
      const missing = await request(ana).post('/api/entities/per_nope/notes').send({ text: 'x' });
      expect(missing.status).toBe(404);
      expect(hidden.body.code).toBe(missing.body.code);
      expect((await h.store.listAnnotations({ entityId: ids.secret })).length).toBe(0);
      expect((await request(ana).post(`/api/entities/${ids.boss}/notes`).send({ text: 'shared boss' })).status).toBe(201);
      expect((await request(h.app).post(`/api/entities/${ids.secret}/notes`).send({ text: 'admin note' })).status).toBe(201);
    });

    it('merges need both entities visible; undo needs the merge to be between visible ones', async () => {
      expect((await request(ana).post('/api/merges').send({ keep: ids.c1, merge: ids.secret })).status).toBe(404);
      expect((await request(ana).post('/api/merges').send({ keep: ids.secret, merge: ids.c1 })).status).toBe(404);
      expect((await h.store.listAnnotations({ kind: 'merge' })).length).toBe(0);
      // the admin merges a case-b person into a case-a one: ana may not undo it
      const adm = await request(h.app).post('/api/merges').send({ keep: ids.c2, merge: ids.secret, reason: 'same' });
      expect(adm.status).toBe(201);
      const undo = await request(ana).post(`/api/merges/${adm.body.id}/undo`);
      expect(undo.status).toBe(404);
      expect(undo.body.message).toBe(`no active merge ${adm.body.id}`);
      expect((await request(h.app).post(`/api/merges/${adm.body.id}/undo`)).status).toBe(201);
      // between two of her entities: merge and undo
      const m = await request(ana).post('/api/merges').send({ keep: ids.c1, merge: ids.c2 });
      expect(m.status).toBe(201);
      expect((await request(ana).post(`/api/merges/${m.body.id}/undo`)).status).toBe(201);
    });
  });

  describe('analysis', () => {
    it('an ungranted case answers 404 like a missing one, for every view', async () => {
      for (const [path, extra] of [['/api/timeline', {}], ['/api/activity', {}], ['/api/key-players', {}], ['/api/diff', { a: { to: '2023-09-21' }, b: { from: '2023-09-21' } }]] as const) {
        const r = await request(ana).post(path).send({ scope: { case: 'case-b' }, ...extra });
        expect(r.status, path).toBe(404);
        expect(r.body.message, path).toBe('no case named "case-b"');
        expect((await request(ana).post(path).send({ scope: { case: 'case-a' }, ...extra })).status, path).toBe(200);
        expect((await request(h.app).post(path).send({ scope: { case: 'case-b' }, ...extra })).status, path).toBe(200);
      }
      // a viewer reads her case
      expect((await request(vic).post('/api/timeline').send({ scope: { case: 'case-a' } })).status).toBe(200);
      expect((await request(vic).post('/api/timeline').send({ scope: { case: 'case-b' } })).status).toBe(404);
    });

    it('a selection keeps only visible entities and links', async () => {
      const scope = { ids: [ids.boss, ids.house, ids.org, ids.secret, ids.p1, ids.p2, ids.p3] };
      const kp = async (as: Handler) => (await request(as).post('/api/key-players').send({ scope })).body;
      const mine = await kp(ana);
      const all = await kp(h.app);
      expect(all.nodes.map((n: { id: string }) => n.id)).toContain(ids.secret);
      expect(mine.nodes.map((n: { id: string }) => n.id)).not.toContain(ids.secret);
      expect(mine.nodes.map((n: { id: string }) => n.id)).not.toContain(ids.p3);
      // boss HELD_AT house is asserted only by case-b: not an edge for ana although both ends are hers
      expect(all.edgeCount - mine.edgeCount).toBe(4); // MEMBER_OF, USES_PHONE, HELD_AT, CALLED p1→p3

      const act = async (as: Handler) => ((await request(as).post('/api/activity').send({ scope })).body.links as { from: string; to: string }[]);
      expect((await act(h.app)).some((l) => l.to === ids.p3)).toBe(true);
      expect((await act(ana)).some((l) => l.to === ids.p3 || l.from === ids.p3)).toBe(false);
      expect((await act(ana)).length).toBe(1); // p1 → p2

      const tl = async (as: Handler) => (await request(as).post('/api/timeline').send({ scope: { ids: [ids.p1, ids.p3] } })).body.total as number;
      expect(await tl(h.app)).toBe(2);
      expect(await tl(ana)).toBe(0);

      const diff = (await request(ana).post('/api/diff').send({ scope, a: { to: '2023-09-21' }, b: { from: '2023-09-21' } })).body;
      expect(JSON.stringify(diff)).not.toContain(ids.p3);
      const adminDiff = (await request(h.app).post('/api/diff').send({ scope, a: { to: '2023-09-21' }, b: { from: '2023-09-21' } })).body;
      expect(JSON.stringify(adminDiff)).toContain(ids.p3);
    });
  });

  describe('exports and snapshots', () => {
    const exportAs = (as: Handler, body: object) => request(as).post('/api/exports').send(body).buffer(true).parse(binary);
    const noCaseB = (text: string) => {
      for (const s of ['case-b', 'b-secret-device.xml', bSha, 'b-locator', 'b-calls', 'Secret Witness', ids.secret, ids.p3]) expect(text, s).not.toContain(s);
    };

    it('an ungranted case is 404 (as a missing one), for every format', async () => {
      for (const format of ['snapshot', 'graphml', 'csv']) {
        const r = await request(ana).post('/api/exports').send({ format, case: 'case-b' });
        expect(r.status).toBe(404);
        expect(r.body.message).toBe('no case named "case-b"');
      }
      expect((await request(ana).post('/api/exports').send({ format: 'graphml', case: 'no-such-case' })).body.message).toBe('no case named "no-such-case"');
      // a viewer may not export at all
      expect((await request(vic).post('/api/exports').send({ format: 'graphml', case: 'case-a' })).status).toBe(403);
    });

    it('view ids none of her cases assert are refused as missing ones', async () => {
      const r = await request(ana).post('/api/exports').send({ format: 'snapshot', ids: [ids.boss, ids.secret] });
      expect(r.status).toBe(404);
      expect(r.body.message).toBe(`no entity with id ${ids.secret}`);
      expect((await request(ana).post('/api/snapshots').send({ ids: [ids.p3], view: {} })).status).toBe(404);
    });

    it('a shared entity exported by ana carries only case-a sources, records and locators', async () => {
      const snap = await exportAs(ana, { format: 'snapshot', ids: [ids.boss, ids.house, ids.org] });
      expect(snap.status).toBe(200);
      const text = (snap.body as Buffer).toString('utf8');
      noCaseB(text);
      const lines = text.split('\n');
      const sources = lines.filter((l) => l.startsWith('["S",')).map((l) => JSON.parse(l.slice(0, -1))[1]);
      expect(sources.map((s: { case: string }) => s.case)).toEqual(['case-a']);
      const manifest = JSON.parse(lines.find((l) => l.startsWith('"manifest":'))!.slice('"manifest":'.length, -1));
      expect(manifest.sources.map((s: { case: string }) => s.case)).toEqual(['case-a']);
      // boss HELD_AT house only case-b asserts: not in her file
      const links = lines.filter((l) => l.startsWith('["L",')).map((l) => JSON.parse(l.slice(0, -1))[1]);
      expect(links.some((l: { type: string }) => l.type === 'HELD_AT')).toBe(false);
      const boss = lines.filter((l) => l.startsWith('["E",')).map((l) => JSON.parse(l.slice(0, -1))[1]).find((e: { id: string }) => e.id === ids.boss);
      expect(boss.locators).toEqual(['¶1']);
      // the admin's export of the same view has both
      const adm = (await exportAs(h.app, { format: 'snapshot', ids: [ids.boss, ids.house, ids.org] })).body.toString('utf8');
      expect(adm).toContain(bSha);
      expect(adm).toContain('b-locator-held');

      const graphml = await exportAs(ana, { format: 'graphml', ids: [ids.boss, ids.house, ids.org] });
      expect(graphml.status).toBe(200);
      noCaseB((graphml.body as Buffer).toString('utf8'));
      const ftm = await exportAs(ana, { format: 'ftm', case: 'case-a' });
      noCaseB((ftm.body as Buffer).toString('utf8'));
      // the whole store, as ana: her cases only
      const store = await exportAs(ana, { format: 'cyjs' });
      expect(store.status).toBe(200);
      noCaseB((store.body as Buffer).toString('utf8'));
      expect((store.body as Buffer).toString('utf8')).toContain('a-device.xml');
    });

    it('a case export is the same for ana and the admin (only the case\'s own sources either way)', async () => {
      const records = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => l.startsWith('["'));
      const mine = await exportAs(ana, { format: 'snapshot', case: 'case-a' });
      const adm = await exportAs(h.app, { format: 'snapshot', case: 'case-a' });
      expect(mine.headers['x-casegraph-counts']).toBe(adm.headers['x-casegraph-counts']);
      const manifestOf = (b: Buffer) => JSON.parse(b.toString('utf8').trim().split('\n').at(-1)!.slice('"manifest":'.length, -1));
      expect(manifestOf(mine.body).sources).toEqual(manifestOf(adm.body).sources);
      expect(records(mine.body).length).toBeGreaterThan(10);
      expect(records(mine.body)).toEqual(records(adm.body));
    });

    it('a snapshot with a case-b source opened by ana is refused whole; nothing is written', async () => {
      const other = await makeApp();
      try {
        const opener = await other.as('ana', 'analyst', ['case-a']);
        const open = (as: Handler, query: Record<string, string> = {}) =>
          request(as).post('/api/snapshots/open').query({ name: 'boss.casegraph.json', ...query }).set('Content-Type', 'application/octet-stream').send(adminSnapshot);
        const r = await open(opener);
        expect(r.status).toBe(403);
        expect(r.body.message).toMatch(/case "case-b"/);
        expect((await other.store.counts()).sources).toBe(0);
        // as a job: the job fails as forbidden, nothing written
        const job = await open(opener, { async: 'true' });
        expect(job.status).toBe(202);
        expect(await poll(opener, job.body.id)).toMatchObject({ state: 'failed', error: { code: 'forbidden' } });
        expect((await other.store.counts()).entities).toBe(0);
        // a named case must be hers, checked before the upload is read
        expect((await open(opener, { case: 'case-b' })).status).toBe(403);
        expect((await other.store.counts()).sources).toBe(0);
        // a manifest edited to say case-a while the records say case-b no longer opens
        const text = adminSnapshot.toString('utf8');
        const last = text.trimEnd().lastIndexOf('\n');
        const forged = Buffer.from(text.slice(0, last) + text.slice(last).replaceAll('"case":"case-b"', '"case":"case-a"'));
        const f = await request(opener).post('/api/snapshots/open').query({ name: 'forged.casegraph.json' }).set('Content-Type', 'application/octet-stream').send(forged);
        expect(f.status).toBe(422);
        expect(f.body.message).toMatch(/the case is "case-a" in the manifest but "case-b" in the records/);
        expect((await other.store.counts()).sources).toBe(0);
        // moved into her own case as a whole, it opens
        const into = await open(opener, { case: 'case-a' });
        expect(into.status).toBe(200);
        expect(into.body.result.sources.map((s: { case: string }) => s.case)).toEqual(['case-a', 'case-a']);
        // the admin opens it as it is
        const adm = await request(other.app).post('/api/snapshots/open').query({ name: 'boss.casegraph.json' }).set('Content-Type', 'application/octet-stream').send(adminSnapshot);
        expect(adm.status).toBe(200);
        expect(adm.body.result.sources.map((s: { case: string }) => s.case).sort()).toEqual(['case-a', 'case-b']);
      } finally {
        await other.close();
      }
    });

    it('ana\'s own snapshot opens for a colleague of case-a', async () => {
      const snap = (await exportAs(ana, { format: 'snapshot', ids: [ids.boss, ids.org] })).body as Buffer;
      const other = await makeApp();
      try {
        const ben = await other.as('ben', 'analyst', ['case-a']);
        const r = await request(ben).post('/api/snapshots/open').query({ name: 'ana.casegraph.json' }).set('Content-Type', 'application/octet-stream').send(snap);
        expect(r.status).toBe(200);
        expect(r.body.result.status).toBe('applied');
        expect(createHash('sha256').update(snap).digest('hex')).toBe(r.body.sha256);
      } finally {
        await other.close();
      }
    });
  });

  describe('report text', () => {
    const extract = (as: Handler, query: Record<string, string>, body: string) =>
      request(as).post('/api/text/extract').query(query).set('Content-Type', 'application/octet-stream').send(Buffer.from(body));
    const DOC = 'The boss called +60 3-2161 1111 and +51 1 555 1234 on 7 October 2023.';

    it('extracts only into a granted case, matching only what her cases assert', async () => {
      expect((await extract(ana, { name: 'r.txt', case: 'case-b' }, DOC)).status).toBe(403);
      const r = await extract(ana, { name: 'r.txt', case: 'case-a' }, DOC);
      expect(r.status).toBe(200);
      const text = JSON.stringify(r.body.candidates);
      expect(text).toContain('a-device.xml');
      for (const s of ['case-b', 'b-secret-device.xml']) expect(text, s).not.toContain(s);
      // p3 is a candidate (the number is in the text) but not matched to the entity only case-b asserts
      const matched = r.body.candidates.flatMap((c: { matches: { id: string }[] }) => c.matches.map((m) => m.id));
      expect(matched).toContain(ids.p1);
      expect(matched).not.toContain(ids.p3);
      const p1 = r.body.candidates.find((c: { matches: { id: string }[] }) => c.matches.some((m) => m.id === ids.p1));
      expect(p1.matches.find((m: { id: string }) => m.id === ids.p1).sources.map((s: { case: string }) => s.case)).toEqual(['case-a']);
      // the admin is offered both
      const adm = await extract(h.app, { name: 'r.txt', case: 'case-a' }, DOC);
      expect(JSON.stringify(adm.body.candidates)).toContain('b-secret-device.xml');
      expect(adm.body.candidates.flatMap((c: { matches: { id: string }[] }) => c.matches.map((m) => m.id))).toContain(ids.p3);

      // apply: mergeWith an entity she does not see is refused as a missing one
      const bad = await request(ana).post('/api/text/apply').send({
        extractionId: r.body.extractionId, entities: [{ ref: 'x', type: 'Person', label: 'Someone', spans: [{ start: 0, end: 8 }], mergeWith: ids.secret }], links: [],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/does not exist/);
      // an extraction made for case-a, applied by a user without case-a, is refused
      const lim = await h.as('lim2', 'analyst', ['lima-2023']);
      const other = await request(lim).post('/api/text/apply').send({ extractionId: r.body.extractionId, entities: [{ ref: 'x', type: 'Person', label: 'Someone', spans: [{ start: 0, end: 8 }] }], links: [] });
      expect(other.status).toBe(403);
      const ok = await request(ana).post('/api/text/apply').send({ extractionId: r.body.extractionId, entities: [{ ref: 'x', type: 'Person', label: 'Someone', spans: [{ start: 0, end: 8 }] }], links: [] });
      expect(ok.status).toBe(201);
      expect(ok.body.case).toBe('case-a');
    }, 90_000);
  });

  async function poll(as: Handler, id: string) {
    for (let i = 0; i < 200; i++) {
      const r = await request(as).get(`/api/jobs/${id}`);
      expect(r.status).toBe(200);
      if (r.body.state !== 'running') return r.body;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`job ${id} did not finish`);
  }
});
