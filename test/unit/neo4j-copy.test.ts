// copyStore between two stores through the port: the contract suite's data (two overlapping device sources,
// a supernode case, three device extractions, an annotation log) copied embedded → embedded must recreate
// the same graph, the same dump, the same views; a second copy changes nothing. (Embedded → Neo4j → embedded
// runs in test/storage/neo4j.test.ts when NEO4J_URI is set.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../backend/src/model/index.ts';
import { copyStore } from '../../backend/src/services/copy.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import type { GraphStore } from '../../backend/src/storage/port.ts';
import { buildCell, buildStar, builder } from '../factories.ts';

async function seed(store: GraphStore): Promise<void> {
  // distinct import times: sources imported in the same millisecond are dumped (and so copied) in id order
  let second = 0;
  const apply = (batch: Batch) => store.apply({ ...batch, source: { ...batch.source, importedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, ++second)).toISOString() } });
  await apply(buildCell({ name: 'a.xml', content: 'a' }).b.build());
  await apply(buildCell({ name: 'b.xml', content: 'b' }).b.build());
  const merge = builder({ name: 'c.xml', content: 'c' });
  merge.phone('0060321611111', { region: 'PE', locator: 'Contact[@id="9"]', props: { note: 'from c', tags: ['x', 'y'], score: 2.5, empty: [], nil: null } });
  await apply(merge.build());
  await apply(buildStar(30, { case: 'beta' }).batch);
  for (const [i, imei] of ['111111111111111', '222222222222222', '333333333333333'].entries()) {
    const b = builder({ name: `device-${i}.xml`, content: imei, case: 'devices' });
    const dev = b.entity('Device', { label: `Device ${i}`, props: { imei }, locator: 'info' });
    const own = b.phone(`+51 98765432${i}`, { locator: 'info' }).id;
    b.link('USES_PHONE', dev, own, 'info');
    const shared = b.phone('+886 912 345 678', { locator: 'contact 1' }).id;
    if (i < 2) b.link('HAS_CONTACT', dev, shared, 'contact 1', { name: 'Boss' });
    else b.event('CALLED', own, shared, { kind: 'call', at: new Date('2023-09-30T12:00:00Z'), durationS: 5, locator: 'call 1' });
    await apply(b.build());
  }
  const { ids } = buildCell();
  await store.appendAnnotation({ kind: 'note', entityId: ids.p1, text: 'the boss line', by: 'ana', at: '2026-01-01T00:00:00.000Z' });
  const merged = await store.appendAnnotation({ kind: 'merge', entityId: ids.c1, targetId: ids.c2, text: 'same person', by: 'ben', at: '2026-01-02T00:00:00.000Z' });
  await store.appendAnnotation({ kind: 'unmerge', entityId: ids.c1, targetId: merged.id, by: 'ben', at: '2026-01-03T00:00:00.000Z' });
}

async function dumpAll(store: GraphStore, caseName?: string): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of store.dump(caseName)) out.push(b);
  return out;
}

/** Everything a user can see through the port, for comparing two stores. */
async function portView(store: GraphStore) {
  const dump = await dumpAll(store);
  const ids = [...new Set(dump.flatMap((b) => b.entities.map((e) => e.id)))].sort();
  const { ids: cell } = buildCell();
  const sortView = (v: { entities: { id: string }[]; links: { id: string }[] }) => ({ ...v, entities: [...v.entities].sort((a, b) => a.id.localeCompare(b.id)), links: [...v.links].sort((a, b) => a.id.localeCompare(b.id)) });
  return {
    dump,
    counts: await store.counts(),
    cases: await store.listCases(),
    sources: await store.listSources(),
    entities: await Promise.all(ids.map((id) => store.getEntity(id))),
    neighbours: sortView(await store.neighbours([cell.c1], { depth: 2, limit: 100 })),
    overview: sortView(await store.caseOverview('beta', 10)),
    hits: await store.crossDeviceHits({ limit: 10 }),
    search: await Promise.all(['Jose Perez', '2161 1111', 'Boss', 'device'].map(async (q) => (await store.search({ q, limit: 10 })).map((h) => h.id).sort())),
    annotations: (await store.listAnnotations()).map(({ id: _id, targetId, ...a }) => ({ ...a, targeted: a.kind === 'unmerge' ? 'annotation' : targetId })),
  };
}

describe('copyStore (embedded → embedded)', () => {
  let dir: string;
  let from: EmbeddedGraphStore;
  let to: EmbeddedGraphStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-copy-'));
    from = new EmbeddedGraphStore({ file: join(dir, 'from.sqlite') });
    to = new EmbeddedGraphStore({ file: join(dir, 'to.sqlite') });
    await seed(from);
  });
  afterEach(async () => {
    await from.close();
    await to.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recreates the same graph, dump and views, prints a line per source, and a second copy is a no-op', async () => {
    const lines: string[] = [];
    const r = await copyStore(from, to, { onProgress: (l) => lines.push(l) });
    expect(r).toEqual({ sources: 7, applied: 7, skipped: 0, entities: expect.any(Number), links: expect.any(Number), events: 35, annotations: 3 });
    expect(r.entities).toBeGreaterThan(0);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^\[1\/7\] test-case · a\.xml \(sha256 [0-9a-f]{12}\): copied 7 entities, 8 links, 2 events$/);
    expect(lines.at(-1)).toBe('annotations: copied 3');
    const [a, b] = [await portView(from), await portView(to)];
    expect(b).toEqual(a);
    // the unmerge points at the copied merge annotation, not at the original store's id
    const copied = await to.listAnnotations();
    expect(copied[2].targetId).toBe(copied[1].id);

    const again: string[] = [];
    const r2 = await copyStore(from, to, { onProgress: (l) => again.push(l) });
    expect(r2).toEqual({ sources: 7, applied: 0, skipped: 7, entities: 0, links: 0, events: 0, annotations: 0 });
    expect(again.slice(0, 7).every((l) => l.endsWith('already in the embedded store, skipped'))).toBe(true);
    expect(again.at(-1)).toBe('annotations: the embedded store already has these 3, skipped');
    expect(await portView(to)).toEqual(a);
  });

  it('copies one case only (and leaves annotations, which are not case-scoped)', async () => {
    const r = await copyStore(from, to, { case: 'beta' });
    expect(r).toMatchObject({ sources: 1, applied: 1, skipped: 0, events: 30, annotations: 0 });
    expect((await to.listCases()).map((c) => c.name)).toEqual(['beta']);
    expect(await dumpAll(to)).toEqual(await dumpAll(from, 'beta'));
    expect(await to.listAnnotations()).toEqual([]);
  });

  it('does not touch a target that has its own annotation log', async () => {
    await to.appendAnnotation({ kind: 'note', entityId: 'per_x', text: 'theirs', by: 'zoe', at: '2025-01-01T00:00:00.000Z' });
    const lines: string[] = [];
    const r = await copyStore(from, to, { onProgress: (l) => lines.push(l) });
    expect(r.annotations).toBe(0);
    expect(lines.at(-1)).toBe('annotations: the embedded store has its own log (1); 3 annotations NOT copied');
    expect((await to.listAnnotations()).map((a) => a.text)).toEqual(['theirs']);
  });
});
