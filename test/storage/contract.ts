// The GraphStore contract: one suite every adapter must pass (embedded always, Neo4j when NEO4J_URI is set).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeLinkId, type Batch } from '../../backend/src/model/index.ts';
import type { GraphStore } from '../../backend/src/storage/port.ts';
import { buildCell, buildStar, builder } from '../factories.ts';

export interface StoreHarness {
  store: GraphStore;
  /** a second, empty store of the same kind (for copy/dump round-trips) */
  fresh(): Promise<GraphStore>;
  cleanup(): Promise<void>;
}

/**
 * Two cases of calls among four phones for the analysis reads. alpha: A→B calls on 1 Oct (one exactly at
 * 00:00, one at 23:59:59), an A→B SMS, B→C at exactly 3 Oct 00:00, C→A before the window, a travel leg (not
 * communication), dated and undated Event entities. beta: the alpha call at 1 Oct 00:00 again (one event,
 * two cases), an A→B call of its own and D→A.
 */
function buildActivity() {
  const at = (iso: string) => new Date(iso);
  const a = builder({ name: 'alpha.csv', case: 'alpha' });
  const [A, B, C] = ['+51 1 555 0101', '+51 1 555 0102', '+51 1 555 0103'].map((n, i) => a.phone(n, { locator: `phone ${i}` }).id);
  const person = a.entity('Person', { key: 'traveller', label: 'Traveller', locator: 'p' });
  const lima = a.entity('Place', { key: 'lima', label: 'Lima', locator: 'p' });
  const journey = a.entity('Event', { key: 'journey', label: 'Journey', props: { date: '2023-09' }, locator: 'e1' });
  const raid = a.entity('Event', { key: 'raid', label: 'Raid', props: { date: '2023-10-07', kind: 'raid' }, locator: 'e2' });
  const escape = a.entity('Event', { key: 'escape', label: 'Escape', props: { kind: 'escape' }, locator: 'e3' });
  a.link('PARTICIPATED_IN', person, raid, 'p');
  a.event('CALLED', A, B, { kind: 'call', at: at('2023-10-01T00:00:00Z'), durationS: 60, locator: 'row 1' });
  a.event('CALLED', A, B, { kind: 'call', at: at('2023-10-01T23:59:59Z'), durationS: 30, locator: 'row 2' });
  a.event('MESSAGED', A, B, { kind: 'sms', at: at('2023-10-02T12:00:00Z'), locator: 'row 3' });
  a.event('CALLED', B, C, { kind: 'call', at: at('2023-10-03T00:00:00Z'), durationS: 10, locator: 'row 4' });
  a.event('CALLED', C, A, { kind: 'call', at: at('2023-09-30T08:00:00Z'), durationS: 5, locator: 'row 5' });
  a.event('TRAVELLED_VIA', person, lima, { kind: 'travel', at: at('2023-10-02T05:00:00Z'), locator: 'row 6' });
  const b = builder({ name: 'beta.csv', case: 'beta' });
  b.phone('+51 1 555 0101', { locator: 'phone 0' });
  b.phone('+51 1 555 0102', { locator: 'phone 1' });
  const D = b.phone('+51 1 555 0104', { locator: 'phone 3' }).id;
  const betaRaid = b.entity('Event', { key: 'beta-raid', label: 'Beta raid', props: { date: '2024-01-01' }, locator: 'e' });
  b.event('CALLED', A, B, { kind: 'call', at: at('2023-10-01T00:00:00Z'), durationS: 60, locator: 'row 1' });
  b.event('CALLED', A, B, { kind: 'call', at: at('2023-10-02T09:00:00Z'), durationS: 99, locator: 'row 2' });
  b.event('CALLED', D, A, { kind: 'call', at: at('2023-10-01T10:00:00Z'), durationS: 7, locator: 'row 3' });
  return { alpha: a.build(), beta: b.build(), ids: { A, B, C, D, person, lima, journey, raid, escape, betaRaid } };
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

export function graphStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`GraphStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: GraphStore;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('applies a batch: entities, links, events and the source all land', async () => {
      const { b } = buildCell();
      const r = await store.apply(b.build());
      expect(r.status).toBe('applied');
      expect(r.entities).toEqual({ created: 7, merged: 0 });
      expect(r.events.created).toBe(2);
      const c = await store.counts();
      expect(c).toMatchObject({ entities: 7, links: 8, events: 2, sources: 1 });
      expect(c.byType).toMatchObject({ Person: 3, Phone: 2, Organization: 1, Address: 1 });
    });

    it('is atomic: a batch that fails part-way writes nothing', async () => {
      const { b } = buildCell({ name: 'first.yaml' });
      await store.apply(b.build());
      const before = await store.counts();
      const bad = buildCell({ name: 'broken.yaml', case: 'other' }).b.build();
      const extra = builder({ name: 'x' });
      const stranger = extra.entity('Person', { key: 'stranger', label: 'Not in batch', locator: 'x' });
      // a link whose end exists in no store: the adapter must refuse it and roll back everything before it
      bad.entities.push({ id: 'per_brandnew', type: 'Person', label: 'Written before the failure', props: {}, search: [], locators: ['1'] });
      bad.links.push({ id: 'lnk_dangling', type: 'MEMBER_OF', from: stranger, to: bad.entities[0].id, props: {}, locators: ['2'] });
      await expect(store.apply(bad)).rejects.toThrow();
      expect(await store.counts()).toEqual(before);
      expect(await store.hasSource(bad.source.sha256, 'other')).toBe(false);
      expect(await store.getEntity('per_brandnew')).toBeNull();
    });

    it('streams chunks into one transaction: an iterator failing midway writes nothing', async () => {
      const { b } = buildCell({ name: 'stream.xml' });
      const first = b.flush();
      async function* chunks() {
        yield first;
        throw new Error('truncated archive');
      }
      await expect(store.applyStream(b.source, chunks())).rejects.toThrow('truncated archive');
      expect(await store.counts()).toMatchObject({ entities: 0, links: 0, events: 0, sources: 0 });
      // and the store still takes the same source afterwards
      const again = buildCell({ name: 'stream.xml' }).b;
      const r = await store.applyStream(again.source, [again.flush()]);
      expect(r.status).toBe('applied');
    });

    it('readers see nothing of a streaming import until it commits', async () => {
      const { b, ids } = buildCell({ name: 'slow.xml' });
      const chunk = b.flush();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const inside = new Promise<void>((r) => (started = r));
      async function* chunks() {
        yield chunk;
        started();
        await gate;
      }
      const pending = store.applyStream(b.source, chunks());
      await inside;
      expect(await store.getEntity(ids.p1)).toBeNull();
      expect((await store.search({ q: 'Red Dragon', limit: 5 })).length).toBe(0);
      release();
      expect((await pending).status).toBe('applied');
      expect(await store.getEntity(ids.p1)).not.toBeNull();
    });

    it('chunks of one source merge repeats across chunks', async () => {
      const b = builder({ name: 'chunks.csv' });
      const a = b.phone('+51 1 555 0001', { locator: 'row 1' }).id;
      const c = b.phone('+51 1 555 0002', { locator: 'row 1' }).id;
      b.event('CALLED', a, c, { kind: 'call', at: new Date('2023-09-01T00:00:00Z'), durationS: 10, locator: 'row 1' });
      const one = b.flush();
      b.phone('+51 1 555 0001', { locator: 'row 2' });
      b.event('CALLED', a, c, { kind: 'call', at: new Date('2023-09-02T00:00:00Z'), durationS: 20, locator: 'row 2' });
      const two = b.flush();
      expect(two.entities.length).toBe(0); // nothing new about the phones
      const r = await store.applyStream(b.source, [one, two]);
      expect(r.events.created).toBe(2);
      const view = await store.neighbours([a], { depth: 1, limit: 10 });
      expect(view.links[0]).toMatchObject({ count: 2, durationS: 30 });
    });

    it('is idempotent: the same source twice changes nothing and says already_imported', async () => {
      const batch = buildCell().b.build();
      await store.apply(batch);
      const before = await store.counts();
      const again = await store.apply(buildCell().b.build());
      expect(again.status).toBe('already_imported');
      expect(again.entities).toEqual({ created: 0, merged: 0 });
      expect(await store.counts()).toEqual(before);
      expect(await store.hasSource(batch.source.sha256, batch.source.case)).toBe(true);
    });

    it('merges by id across sources and keeps every provenance', async () => {
      const a = buildCell({ name: 'a.xml', content: 'a' });
      await store.apply(a.b.build());
      // the same subscriber written another way on another device
      const b = builder({ name: 'b.xml', content: 'b' });
      const p = b.phone('0060321611111', { region: 'PE', locator: 'Contact[@id="9"]', props: { note: 'from b' } }).id;
      expect(p).toBe(a.ids.p1);
      const r = await store.apply(b.build());
      expect(r.entities).toEqual({ created: 0, merged: 1 });
      const e = await store.getEntity(p);
      expect(e).not.toBeNull();
      expect(e!.props.number).toBe('+60321611111');
      expect(e!.props.note).toBe('from b');
      expect(e!.sources.map((s) => s.sourceName).sort()).toEqual(['a.xml', 'b.xml']);
      expect(e!.sources.find((s) => s.sourceName === 'b.xml')!.locator).toBe('Contact[@id="9"]');
      expect(e!.sources.every((s) => /^[0-9a-f]{64}$/.test(s.sha256))).toBe(true);
    });

    it('keeps an event seen in two sources as one event with both provenances, and aggregates links', async () => {
      await store.apply(buildCell({ name: 'a.xml', content: 'a' }).b.build());
      const r = await store.apply(buildCell({ name: 'b.xml', content: 'b' }).b.build());
      expect(r.events).toEqual({ created: 0, merged: 2 });
      const { ids } = buildCell();
      const view = await store.neighbours([ids.p1], { depth: 1, limit: 10, linkTypes: ['CALLED'] });
      const called = view.links.find((l) => l.type === 'CALLED')!;
      expect(called).toMatchObject({ from: ids.p1, to: ids.p2, count: 2, durationS: 180 });
      expect(called.firstAt).toBe('2023-09-20T10:00:00.000Z');
      expect(called.lastAt).toBe('2023-09-21T11:30:00.000Z');
      expect((await store.counts()).events).toBe(2);
    });

    it('returns an entity with sources, cases, degree and first/last seen', async () => {
      const { b, ids } = buildCell();
      await store.apply(b.build());
      const e = await store.getEntity(ids.p1);
      expect(e).toMatchObject({ id: ids.p1, type: 'Phone', label: '+60321611111', degree: 2, cases: ['test-case'] });
      expect(e!.firstSeen).toBe('2023-09-20T10:00:00.000Z');
      expect(e!.lastSeen).toBe('2023-09-21T11:30:00.000Z');
      expect(e!.sources[0]).toMatchObject({ sourceName: 'synthetic-test.report.yaml', locator: 'contacts/1', case: 'test-case' });
      expect(await store.getEntity('per_does_not_exist')).toBeNull();
    });

    it('searches labels, aliases and identifiers: prefixes, accents, phone digits, type filter', async () => {
      const { b, ids } = buildCell();
      await store.apply(b.build());
      const labels = async (q: string, types?: ('Person' | 'Phone')[]) => (await store.search({ q, limit: 10, types })).map((h) => h.id);
      expect(await labels('Jose Perez')).toContain(ids.c1); // accent-insensitive
      expect(await labels('chen dal')).toContain(ids.boss); // prefix of each word
      expect(await labels('Boss')).toContain(ids.boss); // alias
      expect(await labels('2161 1111')).toEqual([ids.p1]); // partial digits of +60321611111
      expect(await labels('+60 3 2161')).toEqual([ids.p1]);
      expect(await labels('red', ['Person'])).toEqual([]);
      expect(await labels('"); DROP TABLE entities; --')).toEqual([]);
      expect(await labels('   ')).toEqual([]);
    });

    it('expands neighbourhoods with depth and type filters', async () => {
      const { b, ids } = buildCell();
      await store.apply(b.build());
      const one = await store.neighbours([ids.c1], { depth: 1, limit: 100 });
      expect(one.entities.map((e) => e.id).sort()).toEqual([ids.c1, ids.org, ids.p1].sort());
      expect(one.capped).toBe(false);
      const two = await store.neighbours([ids.c1], { depth: 2, limit: 100 });
      expect(two.entities.map((e) => e.id)).toEqual(expect.arrayContaining([ids.boss, ids.c2, ids.p2]));
      const phonesOnly = await store.neighbours([ids.c1], { depth: 1, limit: 100, entityTypes: ['Phone'] });
      expect(phonesOnly.entities.map((e) => e.id).sort()).toEqual([ids.c1, ids.p1].sort());
      const members = await store.neighbours([ids.org], { depth: 1, limit: 100, linkTypes: ['LEADS'] });
      expect(members.entities.map((e) => e.id).sort()).toEqual([ids.boss, ids.org].sort());
      expect(members.links.every((l) => l.type === 'LEADS')).toBe(true);
    });

    it('caps a supernode expansion, says so, and pages through the rest without repeats', async () => {
      const { batch, hub, leaves } = buildStar(120);
      await store.apply(batch);
      const seen = new Set<string>();
      for (let offset = 0; offset < 120; offset += 50) {
        const page = await store.neighbours([hub], { depth: 1, limit: 50, offset });
        expect(page.total).toBe(120);
        expect(page.cap).toBe(50);
        expect(page.capped).toBe(true);
        const fresh = page.entities.filter((e) => e.id !== hub).map((e) => e.id);
        expect(fresh.length).toBe(Math.min(50, 120 - offset));
        fresh.forEach((id) => {
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        });
        expect(page.links.length).toBe(fresh.length);
      }
      expect([...seen].sort()).toEqual([...leaves].sort());
      const all = await store.neighbours([hub], { depth: 1, limit: 500 });
      expect(all.capped).toBe(false);
      expect(all.entities.length).toBe(121);
    });

    it('returns every link among a set that holds hubs (subgraph)', async () => {
      const b = builder({ name: 'hubs.csv' });
      const [h1, h2] = [b.phone('+51 1 555 0001', { locator: 'h1' }).id, b.phone('+51 1 555 0002', { locator: 'h2' }).id];
      const leaves: string[] = [];
      for (let i = 0; i < 300; i++) {
        const leaf = b.phone(`+51 9${String(20_000_000 + i)}`, { locator: `row ${i}` }).id;
        leaves.push(leaf);
        b.event('CALLED', h1, leaf, { kind: 'call', at: new Date(Date.UTC(2023, 8, 1, 0, i)), durationS: 1, locator: `a${i}` });
        if (i % 2 === 0) b.event('CALLED', leaf, h2, { kind: 'call', at: new Date(Date.UTC(2023, 8, 2, 0, i)), durationS: 1, locator: `b${i}` });
        if (i % 3 === 0 && i > 0) b.event('MESSAGED', leaf, leaves[i - 1], { kind: 'sms', at: new Date(Date.UTC(2023, 8, 3, 0, i)), locator: `c${i}` });
      }
      b.event('CALLED', h1, h2, { kind: 'call', at: new Date('2023-09-05T00:00:00Z'), durationS: 9, locator: 'hh' });
      b.event('CALLED', h2, h1, { kind: 'call', at: new Date('2023-09-06T00:00:00Z'), durationS: 9, locator: 'hh2' });
      const batch = b.build();
      await store.apply(batch);
      const set = [h1, h2, ...leaves.slice(0, 60)];
      const inSet = new Set(set);
      const expected = batch.links.filter((l) => inSet.has(l.from) && inSet.has(l.to)).map((l) => l.id).sort();
      const view = await store.subgraph(set);
      expect(view.entities).toHaveLength(62);
      expect(view.links.map((l) => l.id).sort()).toEqual(expected);
      const calledOnly = await store.subgraph(set, ['MESSAGED']);
      expect(calledOnly.links.every((l) => l.type === 'MESSAGED')).toBe(true);
      expect(calledOnly.links.length).toBe(batch.links.filter((l) => l.type === 'MESSAGED' && inSet.has(l.from) && inSet.has(l.to)).length);
    });

    it('serves a case overview with its cap, and lists cases and sources', async () => {
      await store.apply(buildCell({ case: 'alpha', name: 'a.yaml' }).b.build());
      await store.apply(buildStar(30, { case: 'beta' }).batch);
      const alpha = await store.caseOverview('alpha', 100);
      expect(alpha.entities.length).toBe(7);
      expect(alpha.capped).toBe(false);
      expect(alpha.links.length).toBe(8);
      const beta = await store.caseOverview('beta', 10);
      expect(beta).toMatchObject({ capped: true, total: 31, cap: 10 });
      expect(beta.entities.length).toBe(10);
      const cases = await store.listCases();
      expect(cases.map((c) => [c.name, c.entities, c.sources])).toEqual([['alpha', 7, 1], ['beta', 31, 1]]);
      expect((await store.listSources('beta')).map((s) => s.name)).toEqual(['synthetic-star.csv']);
    });

    it('dumps every source as batches that recreate the same graph in an empty store', async () => {
      await store.apply(buildCell({ name: 'a.xml', content: 'a' }).b.build());
      await store.apply(buildCell({ name: 'b.xml', content: 'b' }).b.build());
      await store.apply(buildStar(20, { case: 'beta' }).batch);
      const target = await h.fresh();
      try {
        for (const batch of await collect(store.dump())) await target.apply(batch);
        expect(await target.counts()).toEqual(await store.counts());
        const { ids } = buildCell();
        const [x, y] = [await store.getEntity(ids.p1), await target.getEntity(ids.p1)];
        expect(y).toEqual(x);
        // copying again is a no-op
        for (const batch of await collect(store.dump())) expect((await target.apply(batch)).status).toBe('already_imported');
      } finally {
        await target.close();
      }
    });

    it('ranks numbers seen in the data of two or more devices', async () => {
      const devices = ['111111111111111', '222222222222222', '333333333333333'];
      const shared = '+886 912 345 678';
      for (const [i, imei] of devices.entries()) {
        const b = builder({ name: `device-${i}.xml`, content: imei });
        const dev = b.entity('Device', { label: `Device ${i}`, props: { imei }, locator: 'info' });
        const own = b.phone(`+51 98765432${i}`, { locator: 'info' }).id;
        b.link('USES_PHONE', dev, own, 'info');
        const handler = b.phone(shared, { locator: 'contact 1' }).id;
        if (i < 2) b.link('HAS_CONTACT', dev, handler, 'contact 1', { name: 'Boss' });
        else b.event('CALLED', own, handler, { kind: 'call', at: new Date('2023-09-30T12:00:00Z'), durationS: 5, locator: 'call 1' });
        if (i === 1) b.link('HAS_CONTACT', dev, b.phone('+51 987654320', { locator: 'contact 2' }).id, 'contact 2');
        await store.apply(b.build());
      }
      const hits = await store.crossDeviceHits({ limit: 10 });
      expect(hits.map((h) => [h.label, h.deviceCount])).toEqual([['+886912345678', 3], ['+51987654320', 2]]);
      expect(hits[0].devices.map((d) => [d.label, d.as])).toEqual([['Device 0', ['contact']], ['Device 1', ['contact']], ['Device 2', ['call']]]);
      expect(hits[1].devices.map((d) => d.as)).toEqual([['owner'], ['contact']]);
      expect(await store.crossDeviceHits({ limit: 10, minDevices: 3 })).toHaveLength(1);
      expect(await store.crossDeviceHits({ limit: 10, case: 'nope' })).toEqual([]);
    });

    it('keeps an append-only annotation log', async () => {
      const a = await store.appendAnnotation({ kind: 'note', entityId: 'per_a', text: 'first', by: 'ana', at: '2026-01-01T00:00:00.000Z' });
      const m = await store.appendAnnotation({ kind: 'merge', entityId: 'per_a', targetId: 'per_b', by: 'ben', at: '2026-01-02T00:00:00.000Z' });
      await store.appendAnnotation({ kind: 'note', entityId: 'per_c', text: 'other', by: 'ana', at: '2026-01-03T00:00:00.000Z' });
      expect(a.id).not.toBe(m.id);
      expect((await store.listAnnotations()).map((x) => x.text ?? x.kind)).toEqual(['first', 'merge', 'other']);
      expect((await store.listAnnotations({ entityId: 'per_b' })).map((x) => x.id)).toEqual([m.id]);
      expect((await store.listAnnotations({ kind: 'note', entityId: 'per_a' }))).toEqual([a]);
    });

    it('stores hostile text as data', async () => {
      const b = builder({ name: 'hostile.yaml' });
      const nasty = `Robert'); DROP TABLE entities;-- "}) DETACH DELETE n // \`x\` <img src=x onerror=alert(1)>`;
      const id = b.entity('Person', { key: 'nasty', label: nasty, props: { note: nasty }, locator: nasty });
      await store.apply(b.build());
      const e = await store.getEntity(id);
      expect(e!.label).toBe(nasty);
      expect(e!.props.note).toBe(nasty);
      expect(e!.sources[0].locator).toBe(nasty);
      expect((await store.counts()).entities).toBe(1);
    });

    it('reports its health', async () => {
      const hl = await store.health();
      expect(hl.status).toBe('up');
      expect(hl.store).toBe(store.kind);
      expect(hl.version).toMatch(/\d/);
    });

    it('dumps batches that recreate exactly the same dump in an empty store', async () => {
      // distinct import times: sources imported in the same millisecond are dumped in id order, not import order
      const at = (batch: Batch, s: number): Batch => ({ ...batch, source: { ...batch.source, importedAt: `2024-01-01T00:00:0${s}.000Z` } });
      await store.apply(at(buildCell({ name: 'a.xml', content: 'a' }).b.build(), 1));
      const b = builder({ name: 'b.xml', content: 'b' });
      b.phone('0060321611111', { region: 'PE', locator: 'Contact[@id="9"]', props: { note: 'from b' } });
      await store.apply(at(b.build(), 2));
      await store.apply(at(buildStar(5, { case: 'beta' }).batch, 3));
      const original = await collect(store.dump());
      const target = await h.fresh();
      try {
        for (const batch of original) await target.apply(batch);
        expect(await collect(target.dump())).toEqual(original);
        expect((await collect(store.dump('beta'))).map((x) => x.source.name)).toEqual(['synthetic-star.csv']);
      } finally {
        await target.close();
      }
    });

    it('keeps every JSON shape of a prop exactly: null, empty and mixed lists, floats, big integers, key order', async () => {
      const b = builder({ name: 'shapes.json' });
      const props = {
        zeta: 'first key', n: 42, f: -2.5, big: 2 ** 53, huge: 1e21, t: true, nil: null,
        strs: ['a', 'b'], ints: [1, 2, 3], floats: [0.5, 1], bools: [false], empty: [], mixed: [1, 'a', true], '': 'empty key', 'a b.c': 'odd key',
      };
      const id = b.entity('Person', { key: 'shapes', label: 'Shapes', props, locator: '$' });
      await store.apply(b.build());
      const e = await store.getEntity(id);
      expect(e!.props).toEqual(props);
      expect(Object.keys(e!.props)).toEqual(Object.keys(props));
    });

    it('counts raw events per UTC day and kind in a case, half-open window, first/last ignoring the window', async () => {
      const f = buildActivity();
      await store.apply(f.alpha);
      await store.apply(f.beta);
      const all = await store.eventCounts({ case: 'alpha' }, {});
      expect(all).toEqual({
        rows: [
          { day: '2023-09-30', kind: 'call', count: 1 }, { day: '2023-10-01', kind: 'call', count: 2 },
          { day: '2023-10-02', kind: 'sms', count: 1 }, { day: '2023-10-02', kind: 'travel', count: 1 }, { day: '2023-10-03', kind: 'call', count: 1 },
        ],
        first: '2023-09-30T08:00:00.000Z', last: '2023-10-03T00:00:00.000Z',
      });
      // [from, to): the call exactly at `from` is in, the one exactly at `to` is out
      const w = await store.eventCounts({ case: 'alpha' }, { from: '2023-10-01T00:00:00.000Z', to: '2023-10-03T00:00:00.000Z' });
      expect(w.rows).toEqual([{ day: '2023-10-01', kind: 'call', count: 2 }, { day: '2023-10-02', kind: 'sms', count: 1 }, { day: '2023-10-02', kind: 'travel', count: 1 }]);
      expect([w.first, w.last]).toEqual([all.first, all.last]);
      // the shared call counts in both cases; alpha's own events never reach beta
      expect((await store.eventCounts({ case: 'beta' }, {})).rows).toEqual([{ day: '2023-10-01', kind: 'call', count: 2 }, { day: '2023-10-02', kind: 'call', count: 1 }]);
      const empty = await store.eventCounts({ case: 'alpha' }, { from: '2023-10-02T00:00:00.000Z', to: '2023-10-02T00:00:00.000Z' });
      expect(empty).toEqual({ rows: [], first: all.first, last: all.last });
      expect(await store.eventCounts({ case: 'nope' }, {})).toEqual({ rows: [] });
    });

    it('counts the events among given ids (both ends in the set, any case)', async () => {
      const f = buildActivity();
      await store.apply(f.alpha);
      await store.apply(f.beta);
      const { A, B, C } = f.ids;
      const r = await store.eventCounts({ ids: [A, B, A, 'per_missing'] }, {});
      expect(r).toEqual({
        rows: [{ day: '2023-10-01', kind: 'call', count: 2 }, { day: '2023-10-02', kind: 'call', count: 1 }, { day: '2023-10-02', kind: 'sms', count: 1 }],
        first: '2023-10-01T00:00:00.000Z', last: '2023-10-02T12:00:00.000Z',
      });
      expect((await store.eventCounts({ ids: [B, C] }, { to: '2023-10-03T00:00:00.000Z' })).rows).toEqual([]);
      expect((await store.eventCounts({ ids: [B, C] }, { from: '2023-10-03T00:00:00.000Z' })).rows).toEqual([{ day: '2023-10-03', kind: 'call', count: 1 }]);
    });

    it('aggregates communication links over the events in scope and window, most active first, with a cap', async () => {
      const f = buildActivity();
      await store.apply(f.alpha);
      await store.apply(f.beta);
      const { A, B, C } = f.ids;
      const r = await store.linkActivity({ case: 'alpha' }, {}, 10);
      expect(r.capped).toBe(false);
      expect(r.links[0]).toMatchObject({ type: 'CALLED', from: A, to: B, count: 2, durationS: 90, firstAt: '2023-10-01T00:00:00.000Z', lastAt: '2023-10-01T23:59:59.000Z' });
      expect(r.links.slice(1).map((l) => [l.type, l.from, l.to, l.count, l.durationS]).sort()).toEqual([
        ['CALLED', B, C, 1, 10], ['CALLED', C, A, 1, 5], ['MESSAGED', A, B, 1, 0],
      ].sort());
      expect(r.links.some((l) => l.type === 'TRAVELLED_VIA')).toBe(false);
      const capped = await store.linkActivity({ case: 'alpha' }, {}, 1);
      expect(capped).toEqual({ links: [r.links[0]], capped: true });
      const w = await store.linkActivity({ case: 'alpha' }, { from: '2023-10-01T00:00:00.000Z', to: '2023-10-01T12:00:00.000Z' }, 10);
      expect(w.links).toEqual([{ id: r.links[0].id, type: 'CALLED', from: A, to: B, count: 1, durationS: 60, firstAt: '2023-10-01T00:00:00.000Z', lastAt: '2023-10-01T00:00:00.000Z' }]);
      const among = await store.linkActivity({ ids: [A, B] }, {}, 10);
      expect(among.links.map((l) => [l.type, l.count, l.durationS])).toEqual([['CALLED', 3, 189], ['MESSAGED', 1, 0]]);
      expect((await store.linkActivity({ case: 'alpha' }, { from: '2024-01-01T00:00:00.000Z' }, 10)).links).toEqual([]);
    });

    it('serves the graph of a scope for key players: entities, links weighted by events, capped', async () => {
      const f = buildActivity();
      await store.apply(f.alpha);
      await store.apply(f.beta);
      const { A, B, C, D, person, lima, journey, raid, escape, betaRaid } = f.ids;
      const g = await store.scopeGraph({ case: 'alpha' }, { limit: 100 });
      expect(g.capped).toBe(false);
      expect([...g.nodes].sort()).toEqual([A, B, C, person, lima, journey, raid, escape].sort());
      const edges = g.edges.map((e) => [e.type, e.from, e.to, e.weight]).sort();
      // weights are the links' event counts in every case (A→B has a beta call too); a link without events weighs 1
      expect(edges).toEqual([['CALLED', A, B, 3], ['CALLED', B, C, 1], ['CALLED', C, A, 1], ['MESSAGED', A, B, 1], ['PARTICIPATED_IN', person, raid, 1], ['TRAVELLED_VIA', person, lima, 1]].sort());
      const beta = await store.scopeGraph({ case: 'beta' }, { limit: 100 });
      expect([...beta.nodes].sort()).toEqual([A, B, D, betaRaid].sort());
      expect(beta.edges.map((e) => [e.type, e.from, e.to]).sort()).toEqual([['CALLED', A, B], ['CALLED', D, A]].sort());
      const cut = await store.scopeGraph({ case: 'alpha' }, { limit: 2 });
      expect(cut.capped).toBe(true);
      expect(cut.edges).toHaveLength(2);
      for (const e of cut.edges) expect(cut.nodes).toEqual(expect.arrayContaining([e.from, e.to]));
      const ids = await store.scopeGraph({ ids: [A, B, 'per_missing'] }, { limit: 100 });
      expect([...ids.nodes].sort()).toEqual([A, B].sort());
      expect(ids.edges.map((e) => [e.type, e.weight]).sort()).toEqual([['CALLED', 3], ['MESSAGED', 1]]);
      expect(await store.scopeGraph({ case: 'nope' }, { limit: 10 })).toEqual({ nodes: [], edges: [], capped: false });
    });

    it('lists dated Event entities of a scope for timeline markers', async () => {
      const f = buildActivity();
      await store.apply(f.alpha);
      await store.apply(f.beta);
      const { journey, raid, escape, betaRaid, A } = f.ids;
      expect(await store.datedEvents({ case: 'alpha' }, 10)).toEqual([
        { id: journey, label: 'Journey', date: '2023-09' }, { id: raid, label: 'Raid', date: '2023-10-07', kind: 'raid' },
      ]);
      expect(await store.datedEvents({ case: 'alpha' }, 1)).toEqual([{ id: journey, label: 'Journey', date: '2023-09' }]);
      expect((await store.datedEvents({ case: 'beta' }, 10)).map((e) => e.id)).toEqual([betaRaid]);
      expect((await store.datedEvents({ ids: [raid, escape, A] }, 10)).map((e) => e.id)).toEqual([raid]);
    });

    it('serves adjacency with a per-node cap that names hubs, and subgraphs of given ids', async () => {
      const { batch, hub, leaves } = buildStar(12);
      await store.apply(batch);
      const capped = await store.adjacency([hub, leaves[0]], { perNode: 5 });
      expect(capped.hubs).toEqual([hub]);
      expect(capped.edges).toHaveLength(6);
      expect(capped.edges.slice(0, 5).every((e) => e.to === hub && e.type === 'CALLED' && leaves.includes(e.from))).toBe(true);
      expect(capped.edges[5]).toMatchObject({ from: leaves[0], to: hub, type: 'CALLED' });
      const all = await store.adjacency([hub], { perNode: 100 });
      expect(all.hubs).toEqual([]);
      expect(all.edges.map((e) => e.from).sort()).toEqual([...leaves].sort());
      expect((await store.adjacency([hub], { perNode: 100, linkTypes: ['MESSAGED'] })).edges).toEqual([]);
      const sub = await store.subgraph([hub, leaves[0], leaves[1], 'per_missing']);
      expect(sub.capped).toBe(false);
      expect(sub.entities.map((e) => e.id).sort()).toEqual([hub, leaves[0], leaves[1]].sort());
      expect(sub.links).toHaveLength(2);
      expect(sub.links.every((l) => l.count === 1 && l.durationS === 30)).toBe(true);
      expect((await store.subgraph([hub, leaves[0]], ['MEMBER_OF'])).links).toEqual([]);
    });

    it('per-case access: visibleIn keeps the entities and links a source of a granted case asserts', async () => {
      // case-a: Ana and the shared phone, Ana USES_PHONE it, the phone CALLED Ana's office line.
      // case-b: Bruno and the same phone, Bruno USES_PHONE it, and the same call (a shared link, an event of its own).
      const a = builder({ name: 'a.yaml', case: 'case-a' });
      const ana = a.entity('Person', { key: 'ana', label: 'Ana', locator: '¶1' });
      const shared = a.phone('+51 1 555 0199', { locator: 'contacts/1' }).id;
      const office = a.phone('+51 1 555 0100', { locator: 'contacts/2' }).id;
      const anaUses = a.link('USES_PHONE', ana, shared, '¶1');
      a.event('CALLED', shared, office, { kind: 'call', at: new Date('2023-10-01T10:00:00Z'), durationS: 5, locator: 'calls/1' });
      const called = makeLinkId('CALLED', shared, office);
      const b = builder({ name: 'b.yaml', case: 'case-b' });
      const bruno = b.entity('Person', { key: 'bruno', label: 'Bruno', locator: '¶7' });
      b.phone('+51 1 555 0199', { locator: 'row 3' });
      b.phone('+51 1 555 0100', { locator: 'row 4' });
      const brunoUses = b.link('USES_PHONE', bruno, shared, 'row 3');
      b.event('CALLED', shared, office, { kind: 'call', at: new Date('2023-10-02T10:00:00Z'), durationS: 7, locator: 'calls/9' });
      await store.apply(a.build());
      await store.apply(b.build());
      expect(called).toBe((await store.subgraph([shared, office])).links[0].id);
      const all = [ana, bruno, shared, office, anaUses, brunoUses, called];
      const sorted = async (ids: string[], cases: string[]) => [...await store.visibleIn(ids, cases)].sort();
      expect(await sorted(all, ['case-a'])).toEqual([ana, shared, office, anaUses, called].sort());
      expect(await sorted(all, ['case-b'])).toEqual([bruno, shared, office, brunoUses, called].sort());
      expect(await sorted(all, ['case-a', 'case-b'])).toEqual([...all].sort());
      expect(await sorted(all, ['case-b', 'case-b', 'no-such-case'])).toEqual([bruno, shared, office, brunoUses, called].sort());
      expect(await sorted([bruno, brunoUses, bruno], ['case-a'])).toEqual([]);
      // empty inputs, unknown cases and ids, repeats
      expect(await sorted([], ['case-a'])).toEqual([]);
      expect(await sorted(all, [])).toEqual([]);
      expect(await sorted(all, ['Case-A', 'case-a '])).toEqual([]);
      expect(await sorted([ana, ana, 'per_missing', 'lnk_missing'], ['case-a'])).toEqual([ana]);
      // hostile ids and case names are data: nothing matches, nothing breaks, nothing changes
      const before = await store.counts();
      const hostile = ["' OR '1'='1", '") OR 1=1 --', '%', '*', 'per_%', '\\', '$ids', '{id: 1}', '] RETURN 1 //', 'x\u0000y', ''];
      expect(await sorted(hostile, ['case-a'])).toEqual([]);
      expect(await sorted([...hostile, ana], ['case-a', ...hostile])).toEqual([ana]);
      expect(await sorted(all, hostile)).toEqual([]);
      expect(await store.counts()).toEqual(before);
      // more ids than one statement or query takes: the visible ones are still found
      const many = Array.from({ length: 12_345 }, (_, i) => `per_${String(i).padStart(24, '0')}`);
      expect(await sorted([...many, brunoUses, ...many.slice(0, 10), ana], ['case-a', 'case-b'])).toEqual([ana, brunoUses].sort());
    });
  });
}
