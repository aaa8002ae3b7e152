// The embedded store's in-memory link index: kept fresh across imports (its own and another process's),
// left alone by annotations, and giving the very views the SQL path gives, hubs, caps and paging included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeLinkId, type Batch, type GraphView } from '../../backend/src/model/index.ts';
import { EmbeddedGraphStore, type EmbeddedOptions } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import type { NeighbourQuery } from '../../backend/src/storage/port.ts';
import { buildCell, builder } from '../factories.ts';

let dir: string;
const opened: EmbeddedGraphStore[] = [];
const open = (name: string, o: Partial<EmbeddedOptions> = {}) => {
  const s = new EmbeddedGraphStore({ file: join(dir, name), ...o });
  opened.push(s);
  return s;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'casegraph-link-index-'));
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A call centre (calls 150 leaves: a large out-degree), a sink every other leaf calls (a large in-degree),
 * SMS chains among the leaves, friends calling the first leaves (a second ring), people using some phones.
 */
function hubGraph(): { batch: Batch; hub: string; sink: string; leaves: string[]; friends: string[]; people: string[] } {
  const b = builder({ name: 'hub-graph.csv' });
  const at = (m: number) => new Date(Date.UTC(2023, 8, 1, 0, m));
  const hub = b.phone('+51 1 555 0000', { locator: 'hub' }).id;
  const sink = b.phone('+51 1 555 0001', { locator: 'sink' }).id;
  const leaves: string[] = [];
  const friends: string[] = [];
  const people: string[] = [];
  for (let i = 0; i < 150; i++) {
    const leaf = b.phone(`+51 9${String(30_000_000 + i)}`, { locator: `leaf ${i}` }).id;
    leaves.push(leaf);
    b.event('CALLED', hub, leaf, { kind: 'call', at: at(i), durationS: 10 + i, locator: `a${i}` });
    if (i % 2 === 0) b.event('CALLED', leaf, sink, { kind: 'call', at: at(i + 1), durationS: 5, locator: `b${i}` });
    if (i % 3 === 0 && i > 0) b.event('MESSAGED', leaves[i - 1], leaf, { kind: 'sms', at: at(i + 2), locator: `c${i}` });
    if (i < 40) {
      for (let j = 0; j < 3; j++) {
        const friend = b.phone(`+51 8${String(40_000_000 + i * 3 + j)}`, { locator: `friend ${i}/${j}` }).id;
        friends.push(friend);
        b.event('CALLED', friend, leaf, { kind: 'call', at: at(i + j), durationS: 7, locator: `d${i}/${j}` });
      }
    }
    if (i % 10 === 0) {
      const person = b.entity('Person', { key: `user-${i}`, label: `User ${i}`, locator: `p${i}` });
      people.push(person);
      b.link('USES_PHONE', person, leaf, `p${i}`, i % 20 === 0 ? { since: '2023' } : undefined);
    }
  }
  // both directions between the two big ones, and a link without events (no aggregates)
  b.event('CALLED', hub, sink, { kind: 'call', at: at(500), durationS: 1, locator: 'hs' });
  b.event('CALLED', sink, hub, { kind: 'call', at: at(501), durationS: 2, locator: 'sh' });
  b.link('HAS_CONTACT', hub, sink, 'contact', { name: 'Sink' });
  return { batch: b.build(), hub, sink, leaves, friends, people };
}

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
/** Links in a fixed order (neither path promises one); entities as returned (both give them in id order). */
const comparable = (v: GraphView) => ({ ...v, links: byId(v.links) });

describe('link index: same views as the SQL path', () => {
  let indexed: EmbeddedGraphStore;
  let sql: EmbeddedGraphStore;
  let g: ReturnType<typeof hubGraph>;
  beforeEach(async () => {
    g = hubGraph();
    indexed = open('indexed.sqlite');
    sql = open('sql.sqlite', { linkIndex: false });
    await indexed.apply(g.batch);
    await sql.apply(g.batch);
  });

  it('expands with paging, caps, totals and type filters exactly as SQL does', async () => {
    const seeds = [[g.hub], [g.sink], [g.leaves[0]], [g.leaves[3]], [g.friends[0]], [g.people[0]], [g.hub, g.sink], [g.leaves[5], 'tel_missing'], ['tel_missing']];
    const queries: NeighbourQuery[] = [
      { depth: 1, limit: 500 },
      ...[0, 50, 100, 149, 150, 400].map((offset) => ({ depth: 1, limit: 50, offset })),
      { depth: 2, limit: 500 },
      { depth: 2, limit: 100 },
      { depth: 2, limit: 10, offset: 5 },
      { depth: 3, limit: 60 },
      { depth: 3, limit: 5000 },
      { depth: 2, limit: 30, linkTypes: ['MESSAGED'] },
      { depth: 2, limit: 500, linkTypes: ['USES_PHONE', 'MESSAGED'] },
      { depth: 1, limit: 20, entityTypes: ['Person'] },
      { depth: 2, limit: 500, entityTypes: ['Phone'] },
      { depth: 2, limit: 500, entityTypes: [], linkTypes: [] },
    ];
    let compared = 0;
    for (const s of seeds) {
      for (const q of queries) {
        const a = await indexed.neighbours(s, q);
        const b = await sql.neighbours(s, q);
        expect(comparable(a), `${s} ${JSON.stringify(q)}`).toEqual(comparable(b));
        compared++;
      }
    }
    expect(compared).toBe(seeds.length * queries.length);
    // the call centre's ring is paged without repeats and counted exactly
    const page = await indexed.neighbours([g.hub], { depth: 1, limit: 50, offset: 100 });
    expect(page).toMatchObject({ capped: true, total: 151, cap: 50 });
    expect(page.entities).toHaveLength(51);
    expect(indexed.linkIndexStats()).toMatchObject({ links: g.batch.links.length, builds: 1 });
    expect(sql.linkIndexStats()).toBeNull();
  });

  it('with an entity type filter and a cut second ring: the same counts, entities of the ring only', async () => {
    // which second-ring entities fill the room is not specified (SQLite's plan decides on that path)
    for (const seeds of [[g.hub], [g.leaves[2]]]) {
      const q: NeighbourQuery = { depth: 2, limit: 40, entityTypes: ['Phone'] };
      const a = await indexed.neighbours(seeds, q);
      const b = await sql.neighbours(seeds, q);
      expect({ capped: a.capped, total: a.total, n: a.entities.length }).toEqual({ capped: b.capped, total: b.total, n: b.entities.length });
      const ring = new Set((await sql.neighbours(seeds, { depth: 2, limit: 5000, entityTypes: ['Phone'] })).entities.map((e) => e.id));
      expect(a.entities.every((e) => ring.has(e.id))).toBe(true);
      const ids = new Set(a.entities.map((e) => e.id));
      expect(byId(a.links)).toEqual(byId((await sql.subgraph([...ids])).links));
    }
  });

  it('returns the links among sets that hold hubs, of all or some types, as SQL does', async () => {
    const sets = [
      [g.hub, g.leaves[0], g.leaves[1]],
      [g.sink, g.leaves[0], g.leaves[2], g.leaves[3]],
      [g.hub, g.sink, ...g.leaves.slice(0, 5), g.people[0]],
      [g.hub, g.sink, ...g.leaves],
      [...g.leaves, ...g.friends],
      [g.hub, g.hub, 'tel_missing', g.sink],
      [],
    ];
    for (const set of sets) {
      for (const types of [undefined, ['CALLED' as const], ['MESSAGED' as const, 'HAS_CONTACT' as const]]) {
        const a = await indexed.subgraph(set, types);
        const b = await sql.subgraph(set, types);
        expect(comparable(a)).toEqual(comparable(b));
        const inSet = new Set(set);
        expect(a.links.length).toBe(g.batch.links.filter((l) => inSet.has(l.from) && inSet.has(l.to) && (!types || types.includes(l.type as never))).length);
      }
    }
    // link views carry aggregates only when the link has events, props as stored
    const both = await indexed.subgraph([g.hub, g.sink]);
    expect(byId(both.links)).toEqual(byId([
      { id: makeLinkId('CALLED', g.hub, g.sink), type: 'CALLED', from: g.hub, to: g.sink, props: {}, count: 1, durationS: 1, firstAt: '2023-09-01T08:20:00.000Z', lastAt: '2023-09-01T08:20:00.000Z' },
      { id: makeLinkId('CALLED', g.sink, g.hub), type: 'CALLED', from: g.sink, to: g.hub, props: {}, count: 1, durationS: 2, firstAt: '2023-09-01T08:21:00.000Z', lastAt: '2023-09-01T08:21:00.000Z' },
      { id: makeLinkId('HAS_CONTACT', g.hub, g.sink), type: 'HAS_CONTACT', from: g.hub, to: g.sink, props: { name: 'Sink' } },
    ]));
  });

  it('serves case overviews and scope reads through the index as through SQL', async () => {
    expect(comparable(await indexed.caseOverview('test-case', 100))).toEqual(comparable(await sql.caseOverview('test-case', 100)));
    const scope = { ids: [g.hub, g.sink, ...g.leaves.slice(0, 20)] };
    // the same graph (which links a cut keeps is not specified, so uncut)
    const graph = async (s: EmbeddedGraphStore) => {
      const r = await s.scopeGraph(scope, { limit: 500 });
      return { ...r, nodes: [...r.nodes].sort(), edges: byId(r.edges) };
    };
    expect(await graph(indexed)).toEqual(await graph(sql));
    expect(await indexed.eventCounts(scope, {})).toEqual(await sql.eventCounts(scope, {}));
  });
});

describe('link index: freshness', () => {
  /** A second source: a new phone p1 calls, one more call p1 → p2 (its link's aggregates change). */
  function moreCalls(ids: { p1: string; p2: string }) {
    const b = builder({ name: 'more-calls.csv' });
    b.phone('+60 3-2161 1111', { region: 'MY', locator: 'r1' });
    b.phone('012-345 6789', { region: 'MY', locator: 'r2' });
    const p3 = b.phone('+51 1 555 0303', { locator: 'r3' }).id;
    b.event('CALLED', ids.p1, p3, { kind: 'call', at: new Date('2023-10-01T10:00:00Z'), durationS: 9, locator: 'r3' });
    b.event('CALLED', ids.p1, ids.p2, { kind: 'call', at: new Date('2023-10-02T10:00:00Z'), durationS: 40, locator: 'r4' });
    return { batch: b.build(), p3 };
  }
  const p1p2 = (ids: { p1: string; p2: string }) => makeLinkId('CALLED', ids.p1, ids.p2);

  for (const file of ['a.sqlite', ':memory:']) {
    it(`is rebuilt after an import: new links and changed aggregates are seen (${file})`, async () => {
      const store = file === ':memory:' ? new EmbeddedGraphStore({ file }) : open(file);
      if (file === ':memory:') opened.push(store);
      const { b, ids } = buildCell();
      await store.apply(b.build());
      const before = await store.neighbours([ids.p1], { depth: 1, limit: 100 });
      expect(before.links.find((l) => l.id === p1p2(ids))).toMatchObject({ count: 2, durationS: 180, lastAt: '2023-09-21T11:30:00.000Z' });
      const built = store.linkIndexStats()!;
      expect(built.builds).toBe(1);
      const { batch, p3 } = moreCalls(ids);
      await store.apply(batch);
      const after = await store.neighbours([ids.p1], { depth: 1, limit: 100 });
      expect(after.entities.map((e) => e.id)).toContain(p3);
      expect(after.links.find((l) => l.id === p1p2(ids))).toMatchObject({ count: 3, durationS: 220, firstAt: '2023-09-20T10:00:00.000Z', lastAt: '2023-10-02T10:00:00.000Z' });
      expect(store.linkIndexStats()).toMatchObject({ builds: 2, generation: built.generation + 1 });
    });
  }

  it('is not rebuilt after annotations, a repeated source or a failed import', async () => {
    const store = open('a.sqlite');
    const { b, ids } = buildCell();
    const batch = b.build();
    await store.apply(batch);
    const view = await store.neighbours([ids.c1], { depth: 2, limit: 100 });
    const built = store.linkIndexStats()!;
    await store.appendAnnotation({ kind: 'note', entityId: ids.p1, text: 'the boss line', by: 'ana', at: '2026-01-01T00:00:00.000Z' });
    await store.appendAnnotation({ kind: 'merge', entityId: ids.c1, targetId: ids.c2, text: 'same person', by: 'ben', at: '2026-01-02T00:00:00.000Z' });
    expect((await store.apply(batch)).status).toBe('already_imported');
    const broken = builder({ name: 'broken.csv' });
    broken.phone('+51 1 555 0404', { locator: 'r1' });
    const bad = broken.build();
    bad.links.push({ id: 'lnk_dangling', type: 'CALLED', from: ids.p1, to: 'tel_nobody', props: {}, locators: ['r2'] });
    await expect(store.apply(bad)).rejects.toMatchObject({ code: 'import_failed' });
    expect(await store.neighbours([ids.c1], { depth: 2, limit: 100 })).toEqual(view);
    expect(store.linkIndexStats()).toEqual(built);
  });

  it('sees what another store object (another process) imports into the same file', async () => {
    const reader = open('shared.sqlite');
    const { b, ids } = buildCell();
    await reader.apply(b.build());
    expect((await reader.neighbours([ids.p1], { depth: 1, limit: 100 })).entities).toHaveLength(3);
    const importer = open('shared.sqlite');
    const { batch, p3 } = moreCalls(ids);
    await importer.apply(batch);
    const after = await reader.neighbours([ids.p1], { depth: 1, limit: 100 });
    expect(after.entities.map((e) => e.id)).toContain(p3);
    expect(after.links.find((l) => l.id === p1p2(ids))).toMatchObject({ count: 3 });
    expect(reader.linkIndexStats()).toMatchObject({ builds: 2 });
  });

  it('builds in the background above a size, reading through SQL meanwhile, and stops when closed', async () => {
    const g = hubGraph();
    const store = open('big.sqlite', { linkIndex: { backgroundAbove: 10 } });
    const sql = open('big-sql.sqlite', { linkIndex: false });
    await store.apply(g.batch);
    await sql.apply(g.batch);
    const q: NeighbourQuery = { depth: 2, limit: 100 };
    const during = await store.neighbours([g.leaves[4]], q);
    expect(store.linkIndexStats()).toBeNull(); // still building: that read went through SQL
    expect(comparable(during)).toEqual(comparable(await sql.neighbours([g.leaves[4]], q)));
    const stats = await store.linkIndexReady();
    expect(stats).toMatchObject({ links: g.batch.links.length, builds: 1 });
    expect(stats!.bytes).toBeGreaterThan(0);
    expect(comparable(await store.neighbours([g.leaves[4]], q))).toEqual(comparable(during));
    // an import makes it stale: the next read starts another build and is served by SQL
    const more = builder({ name: 'more.csv' });
    const extra = more.phone('+51 1 555 0909', { locator: 'x' }).id;
    expect(more.phone(`+51 9${String(30_000_004)}`, { locator: 'y' }).id).toBe(g.leaves[4]);
    more.event('CALLED', extra, g.leaves[4], { kind: 'call', at: new Date('2023-10-01T00:00:00Z'), durationS: 1, locator: 'x' });
    await store.apply(more.build());
    expect((await store.neighbours([g.leaves[4]], { depth: 1, limit: 100 })).entities.map((e) => e.id)).toContain(extra);
    expect(store.linkIndexStats()).toBeNull();
    await store.close(); // with the build under way
    const again = open('big.sqlite', { linkIndex: { backgroundAbove: 10 } });
    expect(await again.linkIndexReady()).toMatchObject({ links: g.batch.links.length + 1 });
  });

  it('is not built for a store with more links than the bound', async () => {
    const store = open('a.sqlite', { linkIndex: { maxLinks: 3 } });
    const { b, ids } = buildCell();
    await store.apply(b.build());
    expect(await store.linkIndexReady()).toBeNull();
    expect((await store.neighbours([ids.c1], { depth: 1, limit: 100 })).entities.map((e) => e.id).sort()).toEqual([ids.c1, ids.org, ids.p1].sort());
  });
});
