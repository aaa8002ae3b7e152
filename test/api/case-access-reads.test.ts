// Per-case access on the graph reads, through the real app on a real embedded store: a user granted case-a
// sees only what a source of case-a asserts. An entity only case-b's sources assert is invisible to them by
// every route (same 404 as a random id, no hit, never walked through, never counted), and an admin sees all.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLinkId } from '../../backend/src/model/index.ts';
import { builder, buildStar } from '../factories.ts';
import { makeApp, type Handler } from './harness.ts';

type View = { entities: { id: string }[]; links: { id: string; from: string; to: string }[]; capped: boolean; total?: number; cap?: number };
const entityIds = (v: { entities: { id: string }[] }) => v.entities.map((e) => e.id).sort();
const linkIds = (v: { links: { id: string }[] }) => v.links.map((l) => l.id).sort();

/**
 * case-a: Alicia uses the shared phone, handsets A1 and A3 have it as a contact, Carla and a quiet place stand alone.
 * case-b: Bruno uses the same phone and is a member of Blue Lotus; Carla uses the shared phone too (a link only
 * case-b asserts, between two entities case-a also asserts); handset B2 has the shared phone and phone Z as
 * contacts, handset B4 has Z. Handset A1 has phone Y as a contact in case-a, handset A3 only in case-b.
 */
function twoCases() {
  const a = builder({ name: 'a-extraction.xml', case: 'case-a' });
  const alicia = a.entity('Person', { key: 'alicia', label: 'Alicia Andrade', locator: 'A ¶1' });
  const carla = a.entity('Person', { key: 'carla', label: 'Carla Campos', locator: 'A ¶2' });
  const quiet = a.entity('Place', { key: 'quiet', label: 'Quiet Place', locator: 'A ¶3' });
  const shared = a.phone('+51 1 555 0199', { locator: 'A contacts/1' }).id;
  const d1 = a.entity('Device', { label: 'Handset A1', props: { imei: '111111111111111' }, locator: 'A dev 1' });
  const d3 = a.entity('Device', { label: 'Handset A3', props: { imei: '333333333333333' }, locator: 'A dev 3' });
  a.link('USES_PHONE', alicia, shared, 'A ¶1');
  a.link('HAS_CONTACT', d1, shared, 'A dev 1');
  a.link('HAS_CONTACT', d3, shared, 'A dev 3');
  const y = a.phone('+51 1 555 0300', { locator: 'A contacts/2' }).id;
  a.link('HAS_CONTACT', d1, y, 'A dev 1');
  const w = a.phone('+51 1 555 0400', { locator: 'A contacts/3' }).id;
  a.event('CALLED', w, y, { kind: 'call', at: new Date('2023-10-01T10:00:00Z'), durationS: 30, locator: 'A calls/1' });
  const b = builder({ name: 'b-secret-extraction.xml', case: 'case-b', content: 'the case-b bytes' });
  const bruno = b.entity('Person', { key: 'bruno', label: 'Bruno Bastos', locator: 'B-ROW-1' });
  b.phone('+51 1 555 0199', { locator: 'B-ROW-2' });
  b.entity('Person', { key: 'carla', label: 'Carla Campos', locator: 'B-ROW-3' });
  const lotus = b.entity('Organization', { key: 'lotus', label: 'Blue Lotus', locator: 'B-ROW-4' });
  const d2 = b.entity('Device', { label: 'Handset B2', props: { imei: '222222222222222' }, locator: 'B-ROW-5' });
  const d4 = b.entity('Device', { label: 'Handset B4', props: { imei: '444444444444444' }, locator: 'B-ROW-6' });
  const z = b.phone('+51 1 555 0777', { locator: 'B-ROW-7' }).id;
  b.link('USES_PHONE', bruno, shared, 'B-ROW-2');
  b.link('USES_PHONE', carla, shared, 'B-ROW-3');
  b.link('MEMBER_OF', bruno, lotus, 'B-ROW-4');
  b.link('HAS_CONTACT', d2, shared, 'B-ROW-5');
  b.link('HAS_CONTACT', d2, z, 'B-ROW-7');
  b.link('HAS_CONTACT', d4, z, 'B-ROW-7');
  // case-b's copy of handset A3 has phone Y as a contact: a link between two case-a entities that only case-b asserts
  b.entity('Device', { label: 'Handset A3', props: { imei: '333333333333333' }, locator: 'B-ROW-8' });
  b.phone('+51 1 555 0300', { locator: 'B-ROW-8' });
  b.link('HAS_CONTACT', d3, y, 'B-ROW-8');
  // and Y called W, months later: a link (and times) only case-b knows
  b.phone('+51 1 555 0400', { locator: 'B-ROW-9' });
  b.event('CALLED', y, w, { kind: 'call', at: new Date('2024-05-01T10:00:00Z'), durationS: 60, locator: 'B-ROW-9' });
  const batchB = b.build();
  return {
    a: a.build(), b: batchB, bSha: batchB.source.sha256,
    ids: { alicia, carla, quiet, shared, y, w, d1, d3, bruno, lotus, d2, d4, z },
    hidden: { brunoPhone: makeLinkId('USES_PHONE', bruno, shared), carlaPhone: makeLinkId('USES_PHONE', carla, shared), d3y: makeLinkId('HAS_CONTACT', d3, y), yw: makeLinkId('CALLED', y, w) },
  };
}

describe('per-case access on the graph reads', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  let ana: Handler;
  let vic: Handler;
  const fx = twoCases();
  const { ids } = fx;
  const CASE_A = [ids.alicia, ids.carla, ids.quiet, ids.shared, ids.y, ids.w, ids.d1, ids.d3];
  const B_ONLY = [ids.bruno, ids.lotus, ids.d2, ids.d4, ids.z];
  /** what must never reach a case-a user: case-b's entities, links, source and locators */
  const secrets = () => [...B_ONLY, ...Object.values(fx.hidden), 'case-b', 'b-secret-extraction', fx.bSha, 'B-ROW', 'Bruno', 'Lotus', 'Handset B'];
  const leaks = (body: unknown) => secrets().filter((s) => JSON.stringify(body).includes(s));

  beforeAll(async () => {
    h = await makeApp();
    expect((await h.store.apply(fx.a)).status).toBe('applied');
    expect((await h.store.apply(fx.b)).status).toBe('applied');
    ana = await h.as('ana', 'analyst', ['case-a']);
    vic = await h.as('vic', 'viewer', ['case-a']);
  });
  afterAll(() => h?.close());

  it('an entity only another case asserts answers the 404 of a random id, to analysts and viewers', async () => {
    const random = 'per_0123456789abcdef01234567';
    for (const user of [ana, vic]) {
      const hidden = await request(user).get(`/api/entities/${ids.bruno}`);
      const missing = await request(user).get(`/api/entities/${random}`);
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      // the same body but for the id the caller sent
      expect(JSON.parse(JSON.stringify(hidden.body).replaceAll(ids.bruno, '<id>'))).toEqual(JSON.parse(JSON.stringify(missing.body).replaceAll(random, '<id>')));
      for (const path of ['neighbours']) {
        const hn = await request(user).get(`/api/entities/${ids.bruno}/${path}`);
        const mn = await request(user).get(`/api/entities/${random}/${path}`);
        expect([hn.status, mn.status]).toEqual([404, 404]);
        expect(hn.body.message.replace(ids.bruno, '<id>')).toBe(mn.body.message.replace(random, '<id>'));
      }
    }
    expect((await request(h.app).get(`/api/entities/${ids.bruno}`)).body).toMatchObject({ id: ids.bruno, label: 'Bruno Bastos', cases: ['case-b'] });
  });

  it('search finds only what the user may see', async () => {
    for (const user of [ana, vic]) {
      for (const q of ['Bruno', 'Bastos', 'Blue Lotus', 'Handset B', '555 0777']) {
        const r = await request(user).get('/api/search').query({ q });
        expect(r.status).toBe(200);
        expect(r.body.hits).toEqual([]);
      }
      const phone = await request(user).get('/api/search').query({ q: '555 0199' });
      expect(phone.body.hits.map((x: { id: string }) => x.id)).toEqual([ids.shared]);
      // a page is not emptied by hidden hits ranked before the visible ones
      const handsets = await request(user).get('/api/search').query({ q: 'Handset', limit: 2 });
      expect(handsets.body.hits.map((x: { id: string }) => x.id).sort()).toEqual([ids.d1, ids.d3].sort());
    }
    expect((await request(h.app).get('/api/search').query({ q: 'Bruno' })).body.hits.map((x: { id: string }) => x.id)).toEqual([ids.bruno]);
    expect((await request(h.app).get('/api/search').query({ q: 'Handset' })).body.hits).toHaveLength(4);
  });

  it('details of the shared phone show only case-a sources, cases and links', async () => {
    const r = await request(ana).get(`/api/entities/${ids.shared}`);
    expect(r.status).toBe(200);
    expect(r.body.cases).toEqual(['case-a']);
    expect(r.body.sources.map((s: { case: string; sourceName: string; locator: string }) => [s.case, s.sourceName, s.locator])).toEqual([['case-a', 'a-extraction.xml', 'A contacts/1']]);
    // Alicia's line and two handsets' contacts: Bruno's, Carla's and handset B2's links are case-b's and not counted
    expect(r.body.degree).toBe(3);
    expect(leaks(r.body)).toEqual([]);
    const admin = (await request(h.app).get(`/api/entities/${ids.shared}`)).body;
    expect(admin.cases.sort()).toEqual(['case-a', 'case-b']);
    expect(admin.sources).toHaveLength(2);
    expect(admin.degree).toBe(6);
    // Carla: both cases assert her, only case-b links her to the phone
    const carla = (await request(vic).get(`/api/entities/${ids.carla}`)).body;
    expect(carla).toMatchObject({ id: ids.carla, cases: ['case-a'], degree: 0 });
    expect(leaks(carla)).toEqual([]);
    // first and last seen come from the links the user may see: not from case-b's later call
    const y = (await request(ana).get(`/api/entities/${ids.y}`)).body;
    expect(y).toMatchObject({ degree: 2, firstSeen: '2023-10-01T10:00:00.000Z', lastSeen: '2023-10-01T10:00:00.000Z' });
    expect((await request(h.app).get(`/api/entities/${ids.y}`)).body).toMatchObject({ degree: 4, firstSeen: '2023-10-01T10:00:00.000Z', lastSeen: '2024-05-01T10:00:00.000Z' });
  });

  it('neighbourhoods never go through or show what another case asserts, count only what is visible, and page', async () => {
    const n = await request(ana).get(`/api/entities/${ids.shared}/neighbours`);
    expect(n.status).toBe(200);
    expect(entityIds(n.body)).toEqual([ids.shared, ids.alicia, ids.d1, ids.d3].sort());
    expect(n.body).toMatchObject({ capped: false, total: 3 });
    expect(n.body.links).toHaveLength(3);
    expect(leaks(n.body)).toEqual([]);
    const admin = (await request(h.app).get(`/api/entities/${ids.shared}/neighbours`)).body as View;
    expect(entityIds(admin)).toEqual([ids.shared, ids.alicia, ids.carla, ids.bruno, ids.d1, ids.d2, ids.d3].sort());
    expect(admin.total).toBe(6);
    expect(linkIds(admin)).toEqual(expect.arrayContaining([fx.hidden.brunoPhone, fx.hidden.carlaPhone]));
    // deeper: nothing of case-b comes in through the shared phone
    for (const [depth, seen] of [[2, [ids.alicia, ids.shared, ids.d1, ids.d3]], [3, [ids.alicia, ids.shared, ids.d1, ids.d3, ids.y]]] as const) {
      const deep = (await request(vic).get(`/api/entities/${ids.alicia}/neighbours`).query({ depth })).body as View;
      expect(entityIds(deep)).toEqual([...seen].sort());
      expect(leaks(deep)).toEqual([]);
    }
    expect(entityIds((await request(h.app).get(`/api/entities/${ids.alicia}/neighbours`).query({ depth: 3 })).body)).toEqual(expect.arrayContaining([ids.bruno, ids.lotus, ids.d2, ids.z]));
    // Carla's only link is case-b's: she has no neighbours for a case-a user
    const lonely = (await request(ana).get(`/api/entities/${ids.carla}/neighbours`)).body as View;
    expect(lonely).toMatchObject({ entities: [{ id: ids.carla }], links: [], capped: false, total: 0 });
    // paging: one visible neighbour a page, the total counts the visible ones, together they are all of them
    const pages: string[] = [];
    for (let offset = 0; offset < 3; offset++) {
      const p = (await request(ana).get(`/api/entities/${ids.shared}/neighbours`).query({ limit: 1, offset })).body as View;
      expect(p).toMatchObject({ capped: true, total: 3, cap: 1 });
      expect(p.entities).toHaveLength(2);
      pages.push(...entityIds(p).filter((id) => id !== ids.shared));
      expect(leaks(p)).toEqual([]);
    }
    expect(pages.sort()).toEqual([ids.alicia, ids.d1, ids.d3].sort());
    // and a type filter applies to the visible ones
    const devices = (await request(ana).get(`/api/entities/${ids.shared}/neighbours`).query({ entityTypes: 'Device' })).body as View;
    expect(entityIds(devices)).toEqual([ids.shared, ids.d1, ids.d3].sort());
    expect(devices.total).toBe(2);
  });

  it('paths: none to an invisible entity, none through one, the same message as no path at all', async () => {
    const toHidden = await request(ana).get('/api/paths').query({ from: ids.alicia, to: ids.bruno });
    expect(toHidden.status).toBe(404);
    expect(toHidden.body.message).toBe(`no entity with id ${ids.bruno}`);
    expect((await request(h.app).get('/api/paths').query({ from: ids.alicia, to: ids.bruno })).body.paths[0].entities).toEqual([ids.alicia, ids.shared, ids.bruno]);
    // Alicia and Carla are both case-a's; the only path joins them through a link only case-b asserts
    const hiddenOnly = await request(ana).get('/api/paths').query({ from: ids.alicia, to: ids.carla });
    const none = await request(h.app).get('/api/paths').query({ from: ids.alicia, to: ids.quiet });
    expect(hiddenOnly.status).toBe(200);
    expect(hiddenOnly.body.paths).toEqual([]);
    expect(hiddenOnly.body.message).toBe(none.body.message);
    expect(hiddenOnly.body.message).toBe('No path within 4 hops.');
    expect(leaks(hiddenOnly.body)).toEqual([]);
    const all = await request(vic).get('/api/paths').query({ from: ids.alicia, to: ids.carla, mode: 'all' });
    expect(all.body.paths).toEqual([]);
    expect((await request(h.app).get('/api/paths').query({ from: ids.alicia, to: ids.carla })).body.paths[0].links).toHaveLength(2);
  });

  it('subgraphs, common neighbours and case overviews leave out what is hidden', async () => {
    const asked = [ids.bruno, ids.shared, ids.carla, ids.lotus, 'per_missing'].join(',');
    const g = (await request(ana).get('/api/subgraph').query({ ids: asked })).body as View;
    expect(entityIds(g)).toEqual([ids.shared, ids.carla].sort());
    expect(g.links).toEqual([]);
    const p = (await request(ana).post('/api/subgraph').send({ ids: asked.split(',') })).body as View;
    expect(entityIds(p)).toEqual(entityIds(g));
    expect(p.links).toEqual([]);
    const admin = (await request(h.app).get('/api/subgraph').query({ ids: asked })).body as View;
    expect(entityIds(admin)).toEqual([ids.bruno, ids.shared, ids.carla, ids.lotus].sort());
    expect(admin.links).toHaveLength(3);

    const common = await request(ana).get('/api/common-neighbours').query({ ids: `${ids.alicia},${ids.carla}` });
    expect(common.status).toBe(200);
    expect(common.body.common).toEqual([]);
    expect(leaks(common.body)).toEqual([]);
    expect((await request(h.app).get('/api/common-neighbours').query({ ids: `${ids.alicia},${ids.carla}` })).body.common).toEqual([ids.shared]);
    expect((await request(ana).get('/api/common-neighbours').query({ ids: `${ids.alicia},${ids.bruno}` })).status).toBe(404);

    const cases = await request(vic).get('/api/cases');
    expect(cases.body.cases.map((c: { name: string }) => c.name)).toEqual(['case-a']);
    expect((await request(h.app).get('/api/cases')).body.cases.map((c: { name: string }) => c.name)).toEqual(['case-a', 'case-b']);
    const hidden = await request(ana).get('/api/cases/case-b/overview');
    const nope = await request(ana).get('/api/cases/no-such-case/overview');
    expect([hidden.status, nope.status]).toEqual([404, 404]);
    expect(hidden.body.message.replace('case-b', '<name>')).toBe(nope.body.message.replace('no-such-case', '<name>'));
    expect(hidden.body.code).toBe(nope.body.code);
    const overview = (await request(ana).get('/api/cases/case-a/overview')).body as View;
    expect(entityIds(overview)).toEqual([...CASE_A].sort());
    // Carla's phone link joins two case-a entities but only case-b asserts it
    expect(linkIds(overview)).not.toContain(fx.hidden.carlaPhone);
    expect(linkIds(overview)).not.toContain(fx.hidden.d3y);
    expect(linkIds(overview)).not.toContain(fx.hidden.yw);
    expect(overview.links).toHaveLength(5);
    expect(linkIds((await request(h.app).get('/api/cases/case-a/overview')).body)).toContain(fx.hidden.carlaPhone);
    expect((await request(h.app).get('/api/cases/case-b/overview')).status).toBe(200);
  });

  it('cross-device hits count only visible devices over visible links, and an ungranted case has none', async () => {
    const mine = (await request(ana).get('/api/cross-device-hits')).body.hits as { id: string; deviceCount: number; devices: { id: string }[] }[];
    expect(mine.map((x) => [x.id, x.deviceCount])).toEqual([[ids.shared, 2]]);
    expect(mine[0].devices.map((d) => d.id).sort()).toEqual([ids.d1, ids.d3].sort());
    expect(leaks(mine)).toEqual([]);
    expect((await request(ana).get('/api/cross-device-hits').query({ minDevices: 3 })).body.hits).toEqual([]);
    expect((await request(ana).get('/api/cross-device-hits').query({ case: 'case-b' })).body).toEqual({ hits: [] });
    expect((await request(ana).get('/api/cross-device-hits').query({ case: 'case-a' })).body.hits.map((x: { id: string }) => x.id)).toEqual([ids.shared]);
    // phone Y: handset A1 has it in case-a, handset A3 only in case-b, so for a case-a user one device, no hit
    expect((await request(ana).get('/api/cross-device-hits').query({ minDevices: 2, limit: 1000 })).body.hits.map((x: { id: string }) => x.id)).not.toContain(ids.y);
    const all = (await request(h.app).get('/api/cross-device-hits')).body.hits as { id: string; deviceCount: number }[];
    expect(all.map((x) => [x.id, x.deviceCount])).toEqual([[ids.shared, 3], ...[[ids.y, 2], [ids.z, 2]].sort((p, q) => (p[0] < q[0] ? -1 : 1))]);
  });

  it('admin reads never ask the store what is visible', async () => {
    const store = h.store;
    const original = store.visibleIn.bind(store);
    let calls = 0;
    store.visibleIn = async (...args) => {
      calls++;
      return original(...args);
    };
    try {
      const reads = [
        request(h.app).get('/api/search').query({ q: 'Handset' }),
        request(h.app).get(`/api/entities/${ids.shared}`),
        request(h.app).get(`/api/entities/${ids.shared}/neighbours`).query({ depth: 2 }),
        request(h.app).get('/api/cases'),
        request(h.app).get('/api/cases/case-b/overview'),
        request(h.app).get('/api/subgraph').query({ ids: CASE_A.join(',') }),
        request(h.app).post('/api/subgraph').send({ ids: B_ONLY }),
        request(h.app).get('/api/paths').query({ from: ids.alicia, to: ids.bruno, mode: 'all' }),
        request(h.app).get('/api/common-neighbours').query({ ids: `${ids.alicia},${ids.carla}` }),
        request(h.app).get('/api/cross-device-hits'),
        request(h.app).get('/api/annotations'),
      ];
      for (const r of reads) expect((await r).status).toBe(200);
      expect(calls).toBe(0);
      // the counter does count: a restricted read asks
      expect((await request(ana).get(`/api/entities/${ids.shared}`)).status).toBe(200);
      expect(calls).toBeGreaterThan(0);
    } finally {
      store.visibleIn = original;
    }
  });

  // last: it adds notes and a merge
  it('notes and merges show only when they concern entities the user sees', async () => {
    expect((await request(h.app).post(`/api/entities/${ids.shared}/notes`).send({ text: 'the shared line' })).status).toBe(201);
    expect((await request(h.app).post(`/api/entities/${ids.bruno}/notes`).send({ text: 'Bruno is the courier' })).status).toBe(201);
    // an admin decides Carla and Bruno are one person
    const m = await request(h.app).post('/api/merges').send({ keep: ids.carla, merge: ids.bruno, reason: 'same person' });
    expect(m.status).toBe(201);
    const log = (await request(ana).get('/api/annotations')).body.annotations as { kind: string; entityId: string; text?: string }[];
    expect(log.map((a) => [a.kind, a.entityId, a.text])).toEqual([['note', ids.shared, 'the shared line']]);
    expect((await request(ana).get('/api/annotations').query({ entityId: ids.bruno })).body.annotations).toEqual([]);
    expect((await request(h.app).get('/api/annotations')).body.annotations.map((a: { kind: string }) => a.kind)).toEqual(['note', 'note', 'merge']);
    // Carla, for a case-a user: nothing merged into her, none of Bruno's sources, links or notes
    const carla = (await request(ana).get(`/api/entities/${ids.carla}`)).body;
    expect(carla.id).toBe(ids.carla);
    expect(carla.merged ?? []).toEqual([]);
    expect(carla.cases).toEqual(['case-a']);
    expect(leaks(carla)).toEqual([]);
    // Bruno's id does not resolve to Carla for them: it is still a missing entity
    expect((await request(ana).get(`/api/entities/${ids.bruno}`)).status).toBe(404);
    // neighbourhood and search are unchanged by the merge for them
    expect(entityIds((await request(ana).get(`/api/entities/${ids.shared}/neighbours`)).body)).toEqual([ids.shared, ids.alicia, ids.d1, ids.d3].sort());
    expect((await request(ana).get('/api/search').query({ q: 'Bruno' })).body.hits).toEqual([]);
    // the admin sees the merge applied
    const adminView = (await request(h.app).get(`/api/entities/${ids.bruno}`)).body;
    expect(adminView.id).toBe(ids.carla);
    expect(adminView.merged.map((x: { id: string }) => x.id)).toEqual([ids.bruno]);
    expect((await request(h.app).post(`/api/merges/${m.body.id}/undo`)).status).toBe(201);
  });
});

describe('per-case access on a supernode', () => {
  it('pages through the visible neighbours of a hub across store reads, counting only those', async () => {
    const h = await makeApp();
    try {
      // case-b: 2500 phones called the hub. case-a: the hub and the calls of every even phone; every tenth
      // odd phone is in case-a too, but not its call (visible, yet not joined to the hub by anything visible)
      const star = buildStar(2500, { case: 'case-b' });
      await h.store.apply(star.batch);
      const a = builder({ name: 'a-hub.csv', case: 'case-a' });
      a.phone('+51 1 555 0000', { locator: 'hub' });
      const visible: string[] = [];
      star.leaves.forEach((leaf, i) => {
        const number = `+51 9${String(10_000_000 + i)}`;
        if (i % 2 === 0) {
          a.phone(number, { locator: `row ${i}` });
          a.link('CALLED', leaf, star.hub, `row ${i}`);
          visible.push(leaf);
        } else if (i % 10 === 1) a.phone(number, { locator: `row ${i}` });
      });
      await h.store.apply(a.build());
      const ana = await h.as('ana', 'analyst', ['case-a']);
      const seen: string[] = [];
      for (const offset of [0, 500, 1000]) {
        const r = await request(ana).get(`/api/entities/${star.hub}/neighbours`).query({ limit: 500, offset });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ capped: true, total: 1250, cap: 500 });
        const page = (r.body as View).entities.map((e) => e.id).filter((id) => id !== star.hub);
        expect(page).toHaveLength(offset === 1000 ? 250 : 500);
        expect((r.body as View).links).toHaveLength(page.length);
        seen.push(...page);
      }
      expect(seen.sort()).toEqual([...visible].sort());
      const admin = (await request(h.app).get(`/api/entities/${star.hub}/neighbours`).query({ limit: 500 })).body as View;
      expect(admin).toMatchObject({ capped: true, total: 2500 });
    } finally {
      await h.close();
    }
  });
});
