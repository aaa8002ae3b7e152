// The export API through the real app (createApp on a temp-dir embedded store, test/api/harness.ts):
// downloads with the right headers, every export recorded with the SHA-256 of the bytes the client got,
// unredaction recorded, snapshots opened (view state back, idempotent, tamper → 422), validation,
// and bodies larger than the app's default JSON limit.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../api/harness.ts';
import { fixtureBatches, VICTIM_NAME } from './helpers.ts';

async function makeExportApp(seed: boolean) {
  const a = await makeApp();
  if (seed) for (const b of fixtureBatches().batches) await a.store.apply(b);
  return a;
}

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('export API', () => {
  let a: Awaited<ReturnType<typeof makeExportApp>>;
  let ids: Record<string, string>;
  beforeAll(async () => {
    a = await makeExportApp(true);
    ids = fixtureBatches().ids;
  });
  afterAll(() => a.close());

  it('lists the formats and what survives a round trip', async () => {
    const res = await request(a.app).get('/api/exports/formats').expect(200);
    expect(res.body.formats.map((f: { format: string }) => f.format)).toEqual(['snapshot', 'graphml', 'gexf', 'cyjs', 'csv', 'ftm']);
    expect(res.body.formats.find((f: { format: string }) => f.format === 'ftm').roundTrip).toMatch(/UnknownLink/);
  });

  it.each([
    ['graphml', 'application/graphml+xml; charset=utf-8', /\.graphml"/],
    ['gexf', 'application/gexf+xml; charset=utf-8', /\.gexf"/],
    ['cyjs', 'application/json; charset=utf-8', /\.cyjs"/],
    ['csv', 'application/zip', /\.zip"/],
    ['ftm', 'application/x-ndjson; charset=utf-8', /\.ftm\.jsonl"/],
    ['snapshot', 'application/json; charset=utf-8', /\.casegraph\.json"/],
  ])('POST /api/exports %s downloads a file and records it with the sha256 of the bytes sent', async (format, type, name) => {
    const inspector = await a.as('inspector.rojas', 'analyst', ['op-lima']);
    const res = await request(inspector).post('/api/exports')
      .send({ format, case: 'op-lima' }).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="casegraph-op-lima-\d{8}-\d{6}/);
    expect(res.headers['content-disposition']).toMatch(name);
    expect(res.headers['x-casegraph-redacted']).toBe('victims=2');
    const body = res.body as Buffer;
    expect(body.includes(Buffer.from(VICTIM_NAME))).toBe(false);
    const log = (await request(a.app).get('/api/annotations?kind=export').expect(200)).body.annotations;
    const last = log.at(-1);
    expect(last).toMatchObject({ kind: 'export', entityId: 'op-lima', by: 'inspector.rojas' });
    expect(JSON.parse(last.text)).toMatchObject({
      format, scope: 'case', case: 'op-lima', redacted: true, complete: true, bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'), count: expect.any(Number),
    });
    // and the audit trail has it, with the same hash
    expect(a.auth.store.queryAudit({ action: 'export', limit: 1 })[0]).toMatchObject({
      actor: 'inspector.rojas', outcome: 'ok', case: 'op-lima', details: { format, redacted: true, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length },
    });
  });

  it('a view export takes ids and positions; unredacting needs the flag and is recorded before the download', async () => {
    const prosecutor = await a.as('prosecutor', 'analyst', ['op-lima']);
    const res = await request(prosecutor).post('/api/exports')
      .send({ format: 'cyjs', ids: [ids.victim, ids.boss, ids.vphone], positions: { [ids.boss]: { x: 5, y: 6 } }, redactVictims: false, reason: 'indictment annex' })
      .buffer(true).parse(binary).expect(200);
    const doc = JSON.parse((res.body as Buffer).toString('utf8'));
    expect(doc.elements.nodes.map((n: { data: { label: string } }) => n.data.label)).toContain(VICTIM_NAME);
    expect(doc.elements.nodes.find((n: { data: { id: string } }) => n.data.id === ids.boss).position).toEqual({ x: 5, y: 6 });
    expect(res.headers['content-disposition']).toMatch(/-UNREDACTED\.cyjs"/);
    const un = (await request(a.app).get('/api/annotations?kind=unredaction').expect(200)).body.annotations.at(-1);
    expect(un).toMatchObject({ kind: 'unredaction', entityId: 'view', by: 'prosecutor' });
    expect(JSON.parse(un.text)).toMatchObject({ format: 'cyjs', scope: 'view', ids: 3, victims: 1, reason: 'indictment annex' });
    expect(a.auth.store.queryAudit({ action: 'unredaction' })).toEqual([
      expect.objectContaining({ actor: 'prosecutor', outcome: 'ok', details: expect.objectContaining({ format: 'cyjs', ids: 3, redacted: false, reason: 'indictment annex' }) }),
    ]);
  });

  it('takes view bodies larger than the default JSON limit', async () => {
    const view = { notes: Array.from({ length: 3000 }, (_, i) => ({ id: `n${i}`, text: 'x'.repeat(100) })) };
    const res = await request(a.app).post('/api/snapshots').send({ ids: [ids.boss], view }).buffer(true).parse(binary).expect(200);
    expect((res.body as Buffer).length).toBeGreaterThan(300_000);
  });

  it.each([
    [{ format: 'pdf', case: 'op-lima' }, 400, 'bad_request'],
    [{ format: 'graphml', ids: [] }, 400, 'bad_request'],
    [{ format: 'graphml', ids: ['per_nope'] }, 404, 'not_found'],
    [{ format: 'graphml', case: 'no-such-case' }, 404, 'not_found'],
    [{ format: 'graphml', positions: { a: { x: 'left', y: 0 } } }, 400, 'bad_request'],
  ])('refuses %j with %i %s', async (body, status, code) => {
    const res = await request(a.app).post('/api/exports').send(body).expect(status);
    expect(res.body.code).toBe(code);
  });

  it('refuses a view state nested too deep', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const res = await request(a.app).post('/api/snapshots').send({ ids: [ids.boss], view: deep }).expect(400);
    expect(res.body.message).toMatch(/nested deeper than 32/);
  });

  it('snapshot → open in another store: the view state and ids come back; twice changes nothing; tampered is 422', async () => {
    const view = { zoom: 2, pan: { x: 1, y: 2 }, positions: { [ids.boss]: { x: 1, y: 1 } }, selection: [ids.org], hidden: [], pinned: [ids.boss], filters: {}, styles: {}, notes: [] };
    const snap = await request(a.app).post('/api/snapshots').send({ ids: [ids.boss, ids.org, ids.brother], view, redactVictims: false })
      .buffer(true).parse(binary).expect(200);
    const b = await makeExportApp(false);
    try {
      const open = async (bytes: Buffer) => request(b.app).post('/api/snapshots/open?name=view.casegraph.json').set('Content-Type', 'application/octet-stream').send(bytes);
      const first = await open(snap.body as Buffer);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ view, entityIds: [ids.boss, ids.org, ids.brother], format: 'snapshot', provenance: 'original', result: { status: 'applied' } });
      expect(first.body.manifest.sources.length).toBeGreaterThan(0);
      const counts = await b.store.counts();
      const second = await open(snap.body as Buffer);
      expect(second.body.result.status).toBe('already_imported');
      expect(await b.store.counts()).toEqual(counts);
      const bad = Buffer.from((snap.body as Buffer).toString('utf8').replace('Red Dragon', 'Red Dragoon'));
      const third = await open(bad);
      expect(third.status).toBe(422);
      expect(third.body).toMatchObject({ code: 'import_failed', message: expect.stringMatching(/does not match its manifest: the records of source 1/) });
    } finally {
      await b.close();
    }
  });

  it('opens a snapshot as a job: 202, records counted up to the manifest total, the same answer; a tampered file fails the job', async () => {
    const view = { zoom: 1, pan: { x: 0, y: 0 }, positions: {}, selection: [], hidden: [], pinned: [], filters: {}, styles: {}, notes: [] };
    const snap = await request(a.app).post('/api/snapshots').send({ ids: [ids.boss, ids.org, ids.brother], view, redactVictims: false }).buffer(true).parse(binary).expect(200);
    const b = await makeExportApp(false);
    try {
      const run = async (bytes: Buffer) => {
        const start = await request(b.app).post('/api/snapshots/open?name=view.casegraph.json&async=true').set('Content-Type', 'application/octet-stream').send(bytes);
        expect(start.status).toBe(202);
        expect(start.body).toMatchObject({ kind: 'open', state: 'running' });
        let job = start.body;
        for (let i = 0; i < 200 && job.state === 'running'; i++) {
          await new Promise((r) => setTimeout(r, 25));
          job = (await request(b.app).get(`/api/jobs/${job.id}`)).body;
        }
        return job;
      };
      const job = await run(snap.body as Buffer);
      expect(job.state).toBe('done');
      const manifest = job.result.manifest as { sources: { records: { entities: number; links: number; events: number } }[] };
      const total = manifest.sources.reduce((n, s) => n + s.records.entities + s.records.links + s.records.events, 0);
      expect(total).toBeGreaterThan(0);
      expect(job.progress).toEqual({ records: total, total });
      expect(job.result).toMatchObject({ format: 'snapshot', entityIds: [ids.boss, ids.org, ids.brother], result: { status: 'applied' } });
      const failed = await run(Buffer.from((snap.body as Buffer).toString('utf8').replace('Red Dragon', 'Red Dragoon')));
      expect(failed).toMatchObject({ state: 'failed', error: { code: 'import_failed' } });
    } finally {
      await b.close();
    }
  });
});
