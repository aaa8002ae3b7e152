// Analysis views over HTTP on the real embedded store: a synthetic call network imported as a CDR CSV through
// the real import path, in two periods around a raid — phone X goes quiet, phone Y takes over its contacts.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { SYNTHETIC_CDR_HEADER, SYNTHETIC_CDR_MAPPING } from '../../seed/generators/network.ts';
import { makeApp, signedIn } from './harness.ts';

// SYNTHETIC numbers (Malaysian and Taiwanese formats, nothing real); times are Lima local (UTC−5)
const HUB = '+60310000000';
const X = '+886910000001';
const Y = '+886910000002';
const LEAVES = Array.from({ length: 10 }, (_, i) => `+6031100000${i}`);
const TARGETS = Array.from({ length: 6 }, (_, i) => `+88692000000${i}`);
/** 07/10/2023 06:00 in Lima */
const RAID = '2023-10-07T11:00:00.000Z';

/** One CSV row: A calls (or texts) B at a Lima wall-clock time. */
function row(a: string, b: string, day: number, month: number, hour: number, minute: number, type: 'MO' | 'SMS-MO' = 'MO'): string {
  const dd = String(day).padStart(2, '0');
  const mm = String(month).padStart(2, '0');
  const hh = String(hour).padStart(2, '0');
  const mi = String(minute).padStart(2, '0');
  return [a, b, `${dd}/${mm}/2023`, `${hh}:${mi}:00`, type === 'MO' ? '60' : '0', type, '', '', '', ''].join(';');
}

/**
 * Before the raid (September to 6 October): the hub calls its ten leaves, X calls six targets three times
 * each and the hub once. After it (8–30 October): the hub still calls its leaves; Y calls five of X's six targets.
 */
function buildCsv(): { csv: string; rows: number } {
  const lines: string[] = [];
  LEAVES.forEach((l, i) => {
    lines.push(row(HUB, l, 1 + i, 9, 10, 0));
    lines.push(row(HUB, l, 2 + i, 9, 11, 0, 'SMS-MO'));
    lines.push(row(HUB, l, 10 + i, 10, 12, 0));
  });
  TARGETS.forEach((t, i) => {
    for (let k = 0; k < 3; k++) lines.push(row(X, t, 15 + i, 9, 9 + k, 30));
  });
  lines.push(row(X, HUB, 6, 10, 23, 0));
  TARGETS.slice(0, 5).forEach((t, i) => {
    for (let k = 0; k < 3; k++) lines.push(row(Y, t, 20 + i, 10, 9 + k, 30));
  });
  return { csv: [SYNTHETIC_CDR_HEADER.join(';'), ...lines].join('\n') + '\n', rows: lines.length };
}

describe('analysis views over HTTP', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  let events = 0;
  const id: Record<string, string> = {};
  const post = (path: string, body: unknown) => request(h.app).post(`/api${path}`).send(body as object);

  beforeAll(async () => {
    h = await makeApp();
    expect((await request(h.app).put('/api/mappings/synthetic-network').send(SYNTHETIC_CDR_MAPPING)).status).toBe(200);
    const { csv, rows } = buildCsv();
    const r = await request(h.app).post('/api/imports?name=synthetic-raid.csv&mapping=synthetic-network&case=raid-case')
      .set('Content-Type', 'application/octet-stream').send(Buffer.from(csv));
    expect(r.status).toBe(201);
    events = r.body.events.created;
    expect(events).toBe(rows);
    for (const [name, number] of Object.entries({ HUB, X, Y, T0: TARGETS[0], L0: LEAVES[0] })) {
      const [hit] = (await request(h.app).get('/api/search').query({ q: number.slice(1), types: 'Phone' })).body.hits;
      expect(hit.label).toBe(number);
      id[name] = hit.id;
    }
  });
  afterAll(() => h.close());

  it('timeline: day, week and month buckets each sum to the events in scope; the window cuts them', async () => {
    for (const bucket of ['day', 'week', 'month'] as const) {
      const r = await post('/timeline', { scope: { case: 'raid-case' }, bucket });
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(events);
      const sum = r.body.buckets.reduce((n: number, b: { calls: number; messages: number; other: number }) => n + b.calls + b.messages + b.other, 0);
      expect(sum).toBe(events);
      expect(r.body.first).toBe('2023-09-01T15:00:00.000Z');
      expect(r.body.last).toBe('2023-10-24T16:30:00.000Z');
      // zero-filled and contiguous: starts step by one bucket
      if (bucket === 'month') expect(r.body.buckets.map((b: { start: string }) => b.start)).toEqual(['2023-09-01T00:00:00.000Z', '2023-10-01T00:00:00.000Z']);
      if (bucket === 'week') expect(r.body.buckets[0].start).toBe('2023-08-28T00:00:00.000Z'); // the Monday before 1 September
    }
    const day = (await post('/timeline', { scope: { case: 'raid-case' }, bucket: 'day' })).body;
    expect(day.buckets).toHaveLength(54); // 1 September .. 24 October
    expect(day.buckets.reduce((n: number, b: { messages: number }) => n + b.messages, 0)).toBe(LEAVES.length);
    // after the raid: the hub's ten October calls and Y's fifteen; the series starts on the window's day
    const after = (await post('/timeline', { scope: { case: 'raid-case' }, bucket: 'day', window: { from: RAID } })).body;
    expect(after.total).toBe(10 + 15);
    expect(after.buckets[0].start).toBe('2023-10-07T00:00:00.000Z');
    expect(after.buckets.reduce((n: number, b: { calls: number }) => n + b.calls, 0)).toBe(25);
    expect(after.first).toBe(day.first); // first/last describe the whole scope
    // a selection: only the events among the given phones
    const xs = (await post('/timeline', { scope: { ids: [id.X, ...[id.T0]] }, bucket: 'month' })).body;
    expect(xs.total).toBe(3);
  });

  it('activity: the window limits the links and their counts', async () => {
    const before = await post('/activity', { scope: { case: 'raid-case' }, window: { to: RAID } });
    expect(before.status).toBe(200);
    const froms = (r: { body: { links: { from: string }[] } }) => new Set(r.body.links.map((l) => l.from));
    expect(froms(before).has(id.X)).toBe(true);
    expect(froms(before).has(id.Y)).toBe(false);
    const hubToLeaf = before.body.links.find((l: { from: string; to: string; type: string }) => l.from === id.HUB && l.to === id.L0 && l.type === 'CALLED');
    expect(hubToLeaf).toMatchObject({ count: 1, durationS: 60, firstAt: '2023-09-01T15:00:00.000Z', lastAt: '2023-09-01T15:00:00.000Z' });
    const after = await post('/activity', { scope: { case: 'raid-case' }, window: { from: RAID } });
    expect(froms(after).has(id.X)).toBe(false);
    expect(froms(after).has(id.Y)).toBe(true);
    expect(after.body.links.every((l: { firstAt: string }) => l.firstAt >= RAID)).toBe(true);
    const all = (await post('/activity', { scope: { case: 'raid-case' } })).body;
    expect(all.links.reduce((n: number, l: { count: number }) => n + l.count, 0)).toBe(events);
    const one = (await post('/activity', { scope: { case: 'raid-case' }, limit: 1 })).body;
    expect(one).toMatchObject({ capped: true });
    expect(one.links).toHaveLength(1);
  });

  it('diff: X went quiet after the raid and Y took over its targets', async () => {
    const r = await post('/diff', { scope: { case: 'raid-case' }, a: { to: RAID }, b: { from: RAID } });
    expect(r.status).toBe(200);
    const status = (eid: string) => r.body.entities.find((e: { id: string }) => e.id === eid)?.status;
    expect(status(id.X)).toBe('disappeared');
    expect(status(id.Y)).toBe('appeared');
    expect(status(id.HUB)).toBeUndefined(); // active in both periods: no news
    const takeover = r.body.takeovers.find((t: { gone: string }) => t.gone === id.X);
    expect(takeover).toMatchObject({ successor: id.Y });
    expect(takeover.shared).toHaveLength(5);
    expect(r.body.lines.join('\n')).toContain(X);
  });

  it('key players: the hub ranks first by degree; it is a cut vertex, but stranding its own leaves makes no bridge', async () => {
    const r = await post('/key-players', { scope: { case: 'raid-case' } });
    expect(r.status).toBe(200);
    expect(r.body.capped).toBe(false);
    expect(r.body.nodeCount).toBe(3 + LEAVES.length + TARGETS.length);
    const byDegree = [...r.body.nodes].sort((a: { degree: number }, b: { degree: number }) => b.degree - a.degree);
    expect(byDegree[0].id).toBe(id.HUB);
    const hub = r.body.nodes.find((n: { id: string }) => n.id === id.HUB);
    expect(hub.cut).toBe(true); // its leaves hang on it alone…
    expect(hub.bridge).toBe(false); // …but they are single numbers, not a group it splits off
    expect(r.body.nodes.find((n: { id: string }) => n.id === id.L0).bridge).toBe(false);
  });

  it('key players as a job: 202, progress, then the result', async () => {
    const start = await post('/key-players?async=true', { scope: { case: 'raid-case' }, betweennessSamples: 10 });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ kind: 'key-players', state: 'running', label: 'key players of raid-case' });
    let job = start.body;
    const deadline = Date.now() + 30_000;
    while (job.state === 'running' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      job = (await request(h.app).get(`/api/jobs/${job.id}`)).body;
    }
    expect(job.state).toBe('done');
    expect(job.progress.total).toBeGreaterThan(0);
    expect(job.progress.records).toBe(job.progress.total);
    expect(job.result.capped).toBe(false);
    expect([...job.result.nodes].sort((a: { degree: number }, b: { degree: number }) => b.degree - a.degree)[0].id).toBe(id.HUB);
  });

  it('refuses synchronous key players over the limit, pointing to async; the job still runs and says when it capped', async () => {
    const app = await signedIn(createApp({ store: h.store, imports: h.imports, auth: h.auth, log: silentLogger, analysisLimits: { syncMaxEdges: 5, jobMaxEdges: 8 } }), h.auth);
    const r = await request(app).post('/api/key-players').send({ scope: { case: 'raid-case' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'bad_request', details: { async: true, max: 5 } });
    expect(r.body.message).toMatch(/async=true/);
    const start = await request(app).post('/api/key-players?async=true').send({ scope: { case: 'raid-case' } });
    let job = start.body;
    const deadline = Date.now() + 30_000;
    while (job.state === 'running' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      job = (await request(app).get(`/api/jobs/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'done', result: { capped: true } });
    expect(job.result.edgeCount).toBeLessThanOrEqual(8);
  });

  it('accepts a 5000-id selection (a JSON body over the default limit)', async () => {
    const ids = [id.X, id.T0, ...Array.from({ length: 4998 }, (_, i) => `tel_${String(i).padStart(96, '0')}`)];
    const r = await post('/timeline', { scope: { ids } });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(3);
  });

  it.each([
    ['both case and ids', '/timeline', { scope: { case: 'raid-case', ids: ['x'] } }],
    ['neither case nor ids', '/activity', { scope: {} }],
    ['an empty id list', '/key-players', { scope: { ids: [] } }],
    ['too many ids', '/timeline', { scope: { ids: Array.from({ length: 5001 }, (_, i) => `tel_${i}`) } }],
    ['a date that is no date', '/timeline', { scope: { case: 'raid-case' }, window: { from: 'yesterday' } }],
    ['a date JS would guess at', '/activity', { scope: { case: 'raid-case' }, window: { from: 'Oct 7, 2023' } }],
    ['an impossible date', '/activity', { scope: { case: 'raid-case' }, window: { to: '2023-02-30' } }],
    ['a window that ends before it starts', '/diff', { scope: { case: 'raid-case' }, a: { from: '2023-10-07', to: '2023-10-01' }, b: {} }],
    ['an unknown bucket', '/timeline', { scope: { case: 'raid-case' }, bucket: 'year' }],
    ['a day series too long to draw', '/timeline', { scope: { case: 'raid-case' }, bucket: 'day', window: { from: '1990-01-01', to: '2023-01-01' } }],
  ])('400 with the standard error shape for %s', async (_what, path, body) => {
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('bad_request');
    expect(typeof r.body.message).toBe('string');
    expect(Object.keys(r.body).every((k) => ['code', 'message', 'details'].includes(k))).toBe(true);
  });

  it('an unknown case is empty, not an error', async () => {
    const r = await post('/timeline', { scope: { case: 'no-such-case' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ bucket: 'day', buckets: [], total: 0, dated: [] });
  });
});
