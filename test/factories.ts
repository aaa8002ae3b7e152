// Test factories: small canonical batches built through the real BatchBuilder, with overrides.
import { BatchBuilder, sha256Hex, type Batch } from '../backend/src/model/index.ts';
import type { GraphStore } from '../backend/src/storage/port.ts';

export interface SourceOverrides {
  case?: string;
  name?: string;
  /** content the source hash is taken from; different content = different source */
  content?: string;
}

export function builder(o: SourceOverrides = {}): BatchBuilder {
  const name = o.name ?? 'synthetic-test.report.yaml';
  return new BatchBuilder({ sha256: sha256Hex(o.content ?? `${name}:${o.case ?? 'test-case'}`), kind: 'test', name, case: o.case ?? 'test-case', importedBy: 'test' });
}

/** A little phone-scam cell: a boss, two callers, their phones, calls between them, and a house. */
export function buildCell(o: SourceOverrides & { region?: string } = {}) {
  const b = builder(o);
  const boss = b.entity('Person', { key: 'boss', label: 'Chén Dàlóng', aliases: ['Boss Chen'], props: { role: 'suspect' }, locator: '¶1' });
  const c1 = b.entity('Person', { key: 'caller-1', label: 'José Pérez', locator: '¶2' });
  const c2 = b.entity('Person', { key: 'caller-2', label: 'Ana Lim', locator: '¶2' });
  const org = b.entity('Organization', { key: 'org', label: 'Red Dragon', locator: '¶1' });
  const house = b.entity('Address', { key: 'house', label: 'House in La Molina', locator: '¶3' });
  const p1 = b.phone('+60 3-2161 1111', { region: 'MY', locator: 'contacts/1' }).id;
  const p2 = b.phone('012-345 6789', { region: 'MY', locator: 'contacts/2' }).id;
  b.link('MEMBER_OF', boss, org, '¶1');
  b.link('MEMBER_OF', c1, org, '¶2');
  b.link('MEMBER_OF', c2, org, '¶2');
  b.link('LEADS', boss, org, '¶1');
  b.link('USES_PHONE', c1, p1, 'contacts/1');
  b.link('USES_PHONE', c2, p2, 'contacts/2');
  b.link('HELD_AT', c2, house, '¶3');
  b.event('CALLED', p1, p2, { kind: 'call', at: new Date('2023-09-20T10:00:00Z'), durationS: 60, locator: 'calls/1' });
  b.event('CALLED', p1, p2, { kind: 'call', at: new Date('2023-09-21T11:30:00Z'), durationS: 120, locator: 'calls/2' });
  return { b, ids: { boss, c1, c2, org, house, p1, p2 } };
}

/** A star: one hub phone called by `n` leaf phones (a supernode for cap tests). */
export function buildStar(n: number, o: SourceOverrides = {}): { batch: Batch; hub: string; leaves: string[] } {
  const b = builder({ name: 'synthetic-star.csv', ...o });
  const hub = b.phone('+51 1 555 0000', { locator: 'hub' }).id;
  const leaves: string[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = b.phone(`+51 9${String(10_000_000 + i)}`, { locator: `row ${i + 1}` }).id;
    leaves.push(leaf);
    b.event('CALLED', leaf, hub, { kind: 'call', at: new Date(Date.UTC(2023, 8, 1, 0, i)), durationS: 30, locator: `row ${i + 1}` });
  }
  return { batch: b.build(), hub, leaves };
}

/** The copy tests' data (the contract suite's shapes): overlapping device sources, a supernode case, three
 * device extractions and an annotation log, with distinct import times. */
export async function seedCopyFixture(store: GraphStore): Promise<void> {
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

/** Every source of the store (or of one case) as the batches that would recreate it. */
export async function dumpAll(store: GraphStore, caseName?: string): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of store.dump(caseName)) out.push(b);
  return out;
}

/** Everything a user can see through the port, for comparing two stores. */
export async function portView(store: GraphStore) {
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
