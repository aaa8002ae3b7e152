// The Neo4j adapter without a server: a recording driver shim captures every (query, parameters) pair the
// adapter sends and answers from a script. It proves that values travel only as parameters, that unknown
// labels/types are refused before any query is built, that every statement is one of the linted ones and is
// sent to the named database, how transactions are used, and that no driver type leaks past the port.
import { mkdtempSync } from 'node:fs';
import neo4j, { isDateTime, isInt, Neo4jError } from 'neo4j-driver';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { AppError } from '../../backend/src/errors.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { ENTITY_TYPES, LINK_TYPES, type Batch, type BatchChunk } from '../../backend/src/model/index.ts';
import { Q, ROWS_PER_STATEMENT, SCHEMA, T, allStatements } from '../../backend/src/storage/neo4j/cypher.ts';
import { openNeo4jStore, type DriverLike, type ExplicitTransaction, type QueryRunner, type SessionLike } from '../../backend/src/storage/neo4j/neo4j.graph-store.ts';
import { buildCell, builder } from '../factories.ts';
import { makeAuth, signedIn } from '../api/harness.ts';

type Row = Record<string, unknown>;
interface Call { query: string; params: Row; tx: number }

const CREATE_LINKS = new Set(LINK_TYPES.map((t) => T.createLinks(t)));

/** Minimal answers that let a write go through: nothing exists yet, endpoints exist, creates succeed. */
function emptyDatabase(query: string, params: Row): Row[] {
  if (query === Q.takeSequence) return [{ next: neo4j.int(41) }];
  if (query === Q.sourceExists) return [{ n: neo4j.int(0) }];
  if (query === Q.schemaVersion) return [{ version: neo4j.int(1) }];
  if (query === Q.entityIdsExisting) return (params.ids as string[]).map((id) => ({ id }));
  if (CREATE_LINKS.has(query)) return [{ n: neo4j.int((params.rows as unknown[]).length) }];
  return [];
}

class RecordingDriver {
  calls: Call[] = [];
  sessions: { database: string; defaultAccessMode: string }[] = [];
  log: string[] = [];
  closed = false;
  private txs = 0;
  constructor(
    public respond: (query: string, params: Row) => Row[] = emptyDatabase,
    public connect: () => Promise<unknown> = async () => ({}),
  ) {}

  private runner(tx: number): QueryRunner {
    return {
      run: (query: string, params: Row = {}) => {
        this.calls.push({ query, params, tx });
        try {
          const rows = this.respond(query, params);
          return Promise.resolve({ records: rows.map((r) => ({ toObject: () => r })) });
        } catch (err) {
          return Promise.reject(err);
        }
      },
    };
  }

  get driver(): DriverLike {
    const self = this;
    return {
      session(cfg): SessionLike {
        self.sessions.push({ database: cfg.database, defaultAccessMode: cfg.defaultAccessMode });
        const managed = (kind: string) => async <T>(work: (tx: QueryRunner) => Promise<T>) => {
          self.log.push(kind);
          try {
            return await work(self.runner(++self.txs));
          } catch (err) {
            self.log.push(`${kind}:rolled back`);
            throw err;
          }
        };
        return {
          executeRead: managed('executeRead'),
          executeWrite: managed('executeWrite'),
          beginTransaction(): ExplicitTransaction {
            self.log.push('begin');
            let open = true;
            return {
              ...self.runner(++self.txs),
              commit: async () => { open = false; self.log.push('commit'); },
              rollback: async () => { open = false; self.log.push('rollback'); },
              isOpen: () => open,
            };
          },
          run(query, params) {
            self.log.push('auto-commit');
            return self.runner(++self.txs).run(query, params);
          },
          close: async () => undefined,
        };
      },
      verifyConnectivity: () => self.connect(),
      getServerInfo: async () => ({ address: '127.0.0.1:7687', agent: 'Neo4j/5.26.0' }),
      close: async () => { self.closed = true; },
    };
  }
}

const CFG = { uri: 'bolt://127.0.0.1:7687', user: 'neo4j', password: 'secret', database: 'cases' };
const LINTED = new Set(allStatements().map((s) => s.query));

async function open(rec = new RecordingDriver()) {
  const store = await openNeo4jStore(CFG, { driver: rec.driver, clock: () => new Date('2024-05-01T08:00:00.000Z') });
  rec.calls = [];
  rec.log = [];
  rec.sessions = [];
  return { store, rec };
}

/** Every object inside a value, to look for driver types. */
function* walk(v: unknown): Generator<unknown> {
  yield v;
  if (Array.isArray(v)) for (const x of v) yield* walk(x);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) yield* walk(x);
}
const driverTypes = (v: unknown) => [...walk(v)].filter((x) => isInt(x) || isDateTime(x) || (x !== null && typeof x === 'object' && x.constructor !== Object && !Array.isArray(x)));

const NASTY = `Robert'); DROP TABLE entities;-- "}) DETACH DELETE n // \`x\` <img src=x onerror=alert(1)>`;

describe('Neo4j adapter, through a recording driver', () => {
  it('start-up creates the schema (every constraint and index), waits for indexes, checks the schema version', async () => {
    const rec = new RecordingDriver();
    await openNeo4jStore(CFG, { driver: rec.driver });
    const sent = rec.calls.map((c) => c.query);
    expect(sent.slice(0, SCHEMA.length)).toEqual([...SCHEMA]);
    expect(sent).toContain(Q.awaitIndexes);
    expect(sent.at(-1)).toBe(Q.schemaVersion);
    expect(rec.sessions.every((s) => s.database === 'cases')).toBe(true);
  });

  it('refuses a database written by a newer Casegraph', async () => {
    const rec = new RecordingDriver((q, p) => (q === Q.schemaVersion ? [{ version: neo4j.int(99) }] : emptyDatabase(q, p)));
    await expect(openNeo4jStore(CFG, { driver: rec.driver })).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringContaining('schema 99') });
    expect(rec.closed).toBe(true);
  });

  it('hostile text travels only as parameters; every query is a linted statement sent to the named database', async () => {
    const { store, rec } = await open();
    const b = builder({ name: NASTY });
    const p = b.entity('Person', { key: 'nasty', label: NASTY, props: { note: NASTY, [NASTY]: NASTY }, aliases: [NASTY], locator: NASTY });
    const o = b.entity('Organization', { key: 'org', label: 'Org', locator: NASTY });
    b.link('MEMBER_OF', p, o, NASTY, { role: NASTY });
    const ph = b.phone('+51 1 555 0001', { locator: NASTY }).id;
    const ph2 = b.phone('+51 1 555 0002', { locator: NASTY }).id;
    b.event('CALLED', ph, ph2, { kind: 'call', at: new Date('2023-09-01T00:00:00Z'), durationS: 5, original: NASTY, props: { app: NASTY }, locator: NASTY });
    expect((await store.apply(b.build())).status).toBe('applied');
    await store.search({ q: NASTY, limit: 5 });
    await store.getEntity(NASTY);
    await store.neighbours([NASTY], { depth: 2, limit: 10 });
    await store.caseOverview(NASTY, 10);
    await store.listSources(NASTY);
    await store.crossDeviceHits({ case: NASTY, limit: 5 });
    await store.appendAnnotation({ kind: 'note', entityId: NASTY, text: NASTY, by: NASTY, at: '2024-01-01T00:00:00.000Z' });
    await store.listAnnotations({ entityId: NASTY });
    await store.adjacency([NASTY], { perNode: 5 });
    for (const scope of [{ case: NASTY }, { ids: [NASTY, 'tel_1'] }]) {
      await store.eventCounts(scope, { from: '2023-01-01T00:00:00.000Z' });
      await store.linkActivity(scope, { to: '2024-01-01T00:00:00.000Z' }, 10);
      await store.scopeGraph(scope, { limit: 10 });
      await store.datedEvents(scope, 10);
    }
    expect(rec.calls.length).toBeGreaterThan(20);
    for (const { query, params } of rec.calls) {
      for (const fragment of ['DROP TABLE', 'DETACH DELETE', '`x`', 'onerror', 'Robert']) expect(query).not.toContain(fragment);
      expect(LINTED.has(query)).toBe(true);
      // every parameter a statement names is sent
      for (const [, name] of query.matchAll(/\$(\w+)/g)) expect(params).toHaveProperty(name);
    }
    const sentParams = JSON.stringify(rec.calls.map((c) => c.params));
    expect(sentParams).toContain(JSON.stringify(NASTY).slice(1, -1));
    expect(rec.sessions.length).toBeGreaterThan(5);
    expect(rec.sessions.every((s) => s.database === 'cases')).toBe(true);
  });

  it.each([
    ['entity', (b: Batch) => { b.entities[0] = { ...b.entities[0], type: 'Person`) DETACH DELETE n //' as never }; }],
    ['link', (b: Batch) => { b.links[0] = { ...b.links[0], type: 'MEMBER_OF]->() DETACH DELETE r //' as never }; }],
  ])('refuses an unknown %s type before any query is built (apply)', async (_kind, spoil) => {
    const { store, rec } = await open();
    const batch = buildCell().b.build();
    spoil(batch);
    await expect(store.apply(batch)).rejects.toMatchObject({ code: 'import_failed', message: expect.stringContaining('not in the ontology') });
    expect(rec.calls).toEqual([]);
    expect(rec.sessions).toEqual([]);
  });

  it('refuses an unknown type in a later chunk of a stream before that chunk\'s queries, and rolls back', async () => {
    const { store, rec } = await open();
    const { b } = buildCell();
    const first = b.flush();
    const bad: BatchChunk = { entities: [{ id: 'per_x', type: 'Evil`) DETACH DELETE n //' as never, label: 'x', props: {}, search: [], locators: ['1'] }], links: [], events: [], warnings: [] };
    await expect(store.applyStream(b.source, (async function* () { yield first; yield bad; })())).rejects.toBeInstanceOf(AppError);
    expect(rec.calls.length).toBeGreaterThan(0); // the first chunk was written, inside the transaction…
    expect(rec.calls.some((c) => c.query.includes('Evil'))).toBe(false);
    expect(rec.log).toEqual(['begin', 'rollback']); // …which was rolled back, never committed
  });

  it('apply runs in one managed write transaction; applyStream in one explicit transaction, committed once', async () => {
    const { store, rec } = await open();
    await store.apply(buildCell({ name: 'a' }).b.build());
    expect(rec.log).toEqual(['executeWrite']);
    expect(new Set(rec.calls.map((c) => c.tx)).size).toBe(1);
    rec.calls = [];
    rec.log = [];
    const { b } = buildCell({ name: 'b' });
    const chunks = [b.flush()];
    async function* slowly() {
      for (const c of chunks) {
        await new Promise((r) => setTimeout(r, 5));
        yield c;
      }
    }
    await store.applyStream(b.source, slowly());
    expect(rec.log).toEqual(['begin', 'commit']);
    expect(new Set(rec.calls.map((c) => c.tx)).size).toBe(1);
    const failing = buildCell({ name: 'c' }).b;
    await expect(store.applyStream(failing.source, (async function* () { yield failing.flush(); throw new Error('truncated archive'); })())).rejects.toThrow('truncated archive');
    expect(rec.log.slice(2)).toEqual(['begin', 'rollback']);
  });

  it('takes the import lock first, then checks the source; an imported source rolls back to already_imported', async () => {
    const rec = new RecordingDriver((q, p) => (q === Q.sourceExists ? [{ n: neo4j.int(1) }] : emptyDatabase(q, p)));
    const { store } = await open(rec);
    const r = await store.apply(buildCell().b.build());
    expect(r).toMatchObject({ status: 'already_imported', entities: { created: 0, merged: 0 } });
    expect(rec.calls.map((c) => c.query)).toEqual([Q.takeSequence, Q.sourceExists]);
    expect(rec.log).toEqual(['executeWrite', 'executeWrite:rolled back']);
  });

  it('writes in UNWIND batches of at most 10,000 rows, with native types in the parameters', async () => {
    const { store, rec } = await open();
    const b = builder({ name: 'big' });
    const n = 2 * ROWS_PER_STATEMENT + 1;
    for (let i = 0; i < n; i++) b.entity('Person', { key: `p${i}`, label: `P ${i}`, props: { i }, locator: `row ${i}` });
    const r = await store.apply(b.build());
    expect(r.entities.created).toBe(n);
    const creates = rec.calls.filter((c) => c.query === T.createEntities('Person'));
    expect(creates.map((c) => (c.params.rows as unknown[]).length)).toEqual([ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 1]);
    for (const c of rec.calls) for (const v of Object.values(c.params)) if (Array.isArray(v)) expect(v.length).toBeLessThanOrEqual(ROWS_PER_STATEMENT);
    const row = (creates[0].params.rows as Row[])[0];
    expect(isInt(row.seq)).toBe(true);
    expect(isInt(row.p_i)).toBe(true);
    expect(isDateTime(row.createdAt)).toBe(true);
    expect(row).toMatchObject({ type: 'Person', label: 'P 0', searchLabel: 'p 0', propKeys: ['i'] });
  });

  it('merges like the embedded store: existing props win, new keys fill in, label keeps the first non-empty, search words union', async () => {
    const existing = {
      id: 'per_1', type: 'Person', label: '', search: ['old alias'], propKeys: ['note', 'gone'], p_note: 'old', seq: neo4j.int(3),
    };
    const rec = new RecordingDriver((q, p) => (q === Q.entitiesById ? [{ props: existing }] : emptyDatabase(q, p)));
    const { store } = await open(rec);
    const batch: Batch = {
      source: buildCell().b.source, links: [], events: [], warnings: [],
      entities: [
        { id: 'per_1', type: 'Person', label: 'First Label', props: { note: 'new', extra: 1, gone: 'x' }, search: ['old alias', 'new alias'], locators: ['a'] },
        { id: 'per_1', type: 'Person', label: 'Second Label', props: { later: true }, search: [], locators: ['b', 'a'] },
      ],
    };
    const r = await store.apply(batch);
    expect(r.entities).toEqual({ created: 0, merged: 2 });
    const update = rec.calls.find((c) => c.query === Q.updateEntities)!;
    const set = (update.params.rows as { id: string; set: Row }[])[0].set;
    expect(set).toMatchObject({ label: 'First Label', search: ['old alias', 'new alias'], propKeys: ['later', 'note', 'extra', 'gone'], p_note: 'old', p_later: true });
    expect(isInt(set.p_extra) && (set.p_extra as { toNumber(): number }).toNumber()).toBe(1);
    expect(set).not.toHaveProperty('p_gone'); // null before: existing value (null) wins
    const prov = rec.calls.find((c) => c.query === Q.assertEntities)!;
    expect(prov.params.rows).toEqual([{ id: 'per_1', locator: 'a' }, { id: 'per_1', locator: 'b' }]);
  });

  it('refuses a type change of an existing entity (conflict) and a link to an unknown entity, rolling back', async () => {
    const rec = new RecordingDriver((q, p) => (q === Q.entitiesById ? [{ props: { id: 'per_1', type: 'Organization', label: 'x' } }] : emptyDatabase(q, p)));
    const { store } = await open(rec);
    const source = buildCell().b.source;
    await expect(store.apply({ source, entities: [{ id: 'per_1', type: 'Person', label: 'x', props: {}, search: [], locators: [] }], links: [], events: [], warnings: [] }))
      .rejects.toMatchObject({ code: 'conflict' });
    expect(rec.log.at(-1)).toBe('executeWrite:rolled back');
    rec.respond = (q, p) => (q === Q.entityIdsExisting ? [] : emptyDatabase(q, p));
    await expect(store.apply({ source, entities: [], links: [{ id: 'lnk_1', type: 'MEMBER_OF', from: 'per_a', to: 'org_b', props: {}, locators: [] }], events: [], warnings: [] }))
      .rejects.toMatchObject({ code: 'import_failed', message: 'link MEMBER_OF refers to unknown entity per_a' });
  });

  it('aggregates events onto their links and keeps link provenance and the source manifest', async () => {
    const { store, rec } = await open();
    const { b, ids } = buildCell();
    await store.apply(b.build());
    const agg = rec.calls.find((c) => c.query === Q.aggregateLinks)!;
    expect(agg.params.rows).toEqual([{ linkId: expect.stringMatching(/^lnk_/), fromId: ids.p1, toId: ids.p2 }]);
    const events = rec.calls.find((c) => c.query === Q.createEvents)!.params.rows as Row[];
    expect(events).toHaveLength(2);
    expect(isDateTime(events[0].at)).toBe(true);
    expect(events[0]).toMatchObject({ kind: 'call', fromId: ids.p1, toId: ids.p2, durationS: 60, deleted: false });
    const members = rec.calls.find((c) => c.query === T.createLinks('MEMBER_OF'))!.params.rows as { props: Row }[];
    expect(members[0].props).toMatchObject({ sourceIds: [expect.stringMatching(/^src_/)], locators: ['¶1'] });
    const finish = rec.calls.find((c) => c.query === Q.finishSource)!.params.set as Row;
    expect((finish.linkIds as string[]).length).toBe(8);
    expect(finish.linkTypes).toEqual(expect.arrayContaining(['MEMBER_OF', 'LEADS', 'USES_PHONE', 'HELD_AT', 'CALLED']));
    expect(rec.calls.at(-1)!.query).toBe(Q.storeSequence);
  });

  it('reads: driver Integers and DateTimes become numbers and embedded-format ISO strings; nothing driver-typed leaks', async () => {
    const at = (iso: string, offset = 0) => {
      const d = new Date(Date.parse(iso) + offset * 1000);
      return new neo4j.types.DateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1e6 + 999, offset);
    };
    const source = {
      id: 'src_1', sha256: 'a'.repeat(64), kind: 'test', name: 'a.xml', case: 'c1', title: null, documentId: null, importedAt: at('2024-05-01T08:00:00.000Z', 3600),
      importedBy: 'ana', entities: neo4j.int(7), links: neo4j.int(8), events: neo4j.int(2), seq: neo4j.int(1),
    };
    const entity = {
      id: 'tel_1', type: 'Phone', label: '+60321611111', propKeys: ['number', 'n', 'list', 'none', 'empty'], p_number: '+60321611111', p_n: neo4j.int(3),
      p_list: [neo4j.int(1), neo4j.int(2)], pj_empty: '[]', seq: neo4j.int(9), createdAt: at('2024-05-01T08:00:00.000Z'), search: ['21611111'],
    };
    const link = { id: 'lnk_1', propKeys: [], count: neo4j.int(2), durationS: 180, firstAt: at('2023-09-20T10:00:00.000Z'), lastAt: at('2023-09-21T11:30:00.000Z'), seq: neo4j.int(10) };
    const script: Record<string, Row[]> = {
      [Q.entityById]: [{ props: entity }],
      [Q.entityProvenance]: [{ source, locator: 'contacts/1' }],
      [Q.entityLinkStats]: [{ degree: neo4j.int(2), first: at('2023-09-20T10:00:00.000Z'), last: at('2023-09-21T11:30:00.000Z') }],
      [Q.countEntities]: [{ n: neo4j.int(7) }], [Q.countLinks]: [{ n: neo4j.int(8) }], [Q.countEvents]: [{ n: neo4j.int(2) }], [Q.countSources]: [{ n: neo4j.int(1) }],
      [Q.countByType]: ENTITY_TYPES.map((t) => ({ type: t, n: neo4j.int(t === 'Phone' ? 2 : t === 'Person' ? 3 : 0) })),
      [Q.allSources]: [{ source }],
      [Q.listCases]: [{ name: 'c1', sources: neo4j.int(1), entities: neo4j.int(7), lastImportAt: at('2024-05-01T08:00:00.000Z') }],
      [Q.neighbourStep]: [{ id: 'tel_2' }],
      [Q.entitiesById]: [{ props: entity }, { props: { ...entity, id: 'tel_2', propKeys: null } }],
      [Q.linksAmong]: [{ from: 'tel_1', to: 'tel_2', type: 'CALLED', props: link }],
      [Q.crossDeviceHits]: [{ id: 'tel_1', type: 'Phone', label: '+60321611111', deviceCount: neo4j.int(2), devices: [{ id: 'dev_b', label: 'B', as: ['owner', 'call'] }, { id: 'dev_a', label: 'A', as: ['contact'] }] }],
      [Q.annotations]: [{ props: { id: 'ann_1', seq: neo4j.int(4), kind: 'note', entityId: 'tel_1', text: 'hi', by: 'ana', at: at('2026-01-01T00:00:00.000Z') } }],
    };
    const rec = new RecordingDriver((q, p) => script[q] ?? emptyDatabase(q, p));
    const { store } = await open(rec);
    const detail = await store.getEntity('tel_1');
    expect(detail).toEqual({
      id: 'tel_1', type: 'Phone', label: '+60321611111', props: { number: '+60321611111', n: 3, list: [1, 2], none: null, empty: [] },
      degree: 2, firstSeen: '2023-09-20T10:00:00.000Z', lastSeen: '2023-09-21T11:30:00.000Z', cases: ['c1'],
      sources: [{ sourceId: 'src_1', sourceName: 'a.xml', sourceKind: 'test', sha256: 'a'.repeat(64), case: 'c1', importedAt: '2024-05-01T08:00:00.000Z', locator: 'contacts/1' }],
    });
    const counts = await store.counts();
    expect(counts).toEqual({ entities: 7, links: 8, events: 2, sources: 1, byType: { Person: 3, Phone: 2 } });
    const sources = await store.listSources();
    expect(sources[0]).toEqual({ id: 'src_1', sha256: 'a'.repeat(64), kind: 'test', name: 'a.xml', case: 'c1', importedAt: '2024-05-01T08:00:00.000Z', importedBy: 'ana', counts: { entities: 7, links: 8, events: 2 } });
    const cases = await store.listCases();
    const view = await store.neighbours(['tel_1'], { depth: 1, limit: 10 });
    expect(view.links[0]).toEqual({ id: 'lnk_1', type: 'CALLED', from: 'tel_1', to: 'tel_2', props: {}, count: 2, durationS: 180, firstAt: '2023-09-20T10:00:00.000Z', lastAt: '2023-09-21T11:30:00.000Z' });
    const hits = await store.crossDeviceHits({ limit: 5 });
    expect(hits[0].devices).toEqual([{ id: 'dev_a', label: 'A', as: ['contact'] }, { id: 'dev_b', label: 'B', as: ['call', 'owner'] }]);
    const notes = await store.listAnnotations();
    expect(notes).toEqual([{ id: 'ann_1', kind: 'note', entityId: 'tel_1', text: 'hi', by: 'ana', at: '2026-01-01T00:00:00.000Z' }]);
    for (const out of [detail, counts, sources, cases, view, hits, notes]) expect(driverTypes(out)).toEqual([]);
    // limits and counts go out as Integers, so Cypher gets the integer LIMIT it requires
    for (const c of rec.calls) if ('limit' in c.params) expect(isInt(c.params.limit)).toBe(true);
  });

  it('analysis reads: the window goes out as UTC DateTimes (null when open), limits as Integers; answers come back plain', async () => {
    const dt = (iso: string) => {
      const d = new Date(iso);
      return new neo4j.types.DateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0, 0);
    };
    const script: Record<string, Row[]> = {
      [Q.eventCountsInCase]: [{ day: '2023-10-01', kind: 'call', n: neo4j.int(2) }],
      [Q.eventSpanInCase]: [{ first: dt('2023-09-30T08:00:00.000Z'), last: dt('2023-10-03T00:00:00.000Z') }],
      [Q.eventSpanAmongIds]: [{ first: null, last: null }],
      [Q.linkActivityAmongIds]: [
        { linkId: 'lnk_1', type: 'CALLED', fromId: 'tel_1', toId: 'tel_2', n: neo4j.int(3), total: 189, first: dt('2023-10-01T00:00:00.000Z'), last: dt('2023-10-02T09:00:00.000Z') },
        { linkId: 'lnk_2', type: 'MESSAGED', fromId: 'tel_1', toId: 'tel_2', n: neo4j.int(1), total: neo4j.int(0), first: dt('2023-10-02T12:00:00.000Z'), last: dt('2023-10-02T12:00:00.000Z') },
      ],
      [Q.datedEventsInCase]: [{ props: { id: 'evt_1', type: 'Event', label: 'Raid', seq: neo4j.int(3), propKeys: ['date', 'kind'], p_date: '2023-10-07', p_kind: 'raid' } }],
    };
    const rec = new RecordingDriver((q, p) => script[q] ?? emptyDatabase(q, p));
    const { store } = await open(rec);
    const counts = await store.eventCounts({ case: 'c1' }, { from: '2023-10-01T00:00:00.000Z' });
    expect(counts).toEqual({ rows: [{ day: '2023-10-01', kind: 'call', count: 2 }], first: '2023-09-30T08:00:00.000Z', last: '2023-10-03T00:00:00.000Z' });
    const sent = rec.calls.find((c) => c.query === Q.eventCountsInCase)!.params;
    expect(isDateTime(sent.from)).toBe(true);
    expect((sent.from as { timeZoneOffsetSeconds: unknown }).timeZoneOffsetSeconds).toEqual(neo4j.int(0));
    expect(sent.to).toBeNull();
    const activity = await store.linkActivity({ ids: ['tel_1', 'tel_2', 'tel_1'] }, {}, 1);
    expect(activity).toEqual({
      links: [{ id: 'lnk_1', type: 'CALLED', from: 'tel_1', to: 'tel_2', count: 3, durationS: 189, firstAt: '2023-10-01T00:00:00.000Z', lastAt: '2023-10-02T09:00:00.000Z' }],
      capped: true,
    });
    const sentIds = rec.calls.find((c) => c.query === Q.linkActivityAmongIds)!.params;
    expect(sentIds.ids).toEqual(['tel_1', 'tel_2']); // each id once
    expect(sentIds.limit).toEqual(neo4j.int(2)); // one more than kept, to tell a cut
    expect(await store.eventCounts({ ids: ['tel_9'] }, {})).toEqual({ rows: [] });
    const dated = await store.datedEvents({ case: 'c1' }, 5);
    expect(dated).toEqual([{ id: 'evt_1', label: 'Raid', date: '2023-10-07', kind: 'raid' }]);
    expect(rec.calls.find((c) => c.query === Q.datedEventsInCase)!.params.dateKey).toBe('p_date');
    for (const out of [counts, activity, dated]) expect(driverTypes(out)).toEqual([]);
    for (const c of rec.calls) if ('limit' in c.params) expect(isInt(c.params.limit)).toBe(true);
  });

  it('health: up with the server version from dbms.components(); down with the reason', async () => {
    const rec = new RecordingDriver((q, p) => (q === Q.serverComponents ? [{ name: 'Neo4j Kernel', versions: ['5.26.0'], edition: 'community' }] : emptyDatabase(q, p)));
    const { store } = await open(rec);
    expect(await store.health()).toEqual({ store: 'neo4j', status: 'up', version: 'Neo4j 5.26.0 community', detail: 'bolt://127.0.0.1:7687 database cases (127.0.0.1:7687)' });
    expect(rec.log).toEqual(['auto-commit']); // no retries: a health check answers at once
    rec.respond = () => {
      throw new Neo4jError('Failed to connect to server. Caused by: connect ECONNREFUSED 127.0.0.1:7687', 'ServiceUnavailable', '08000', 'connection exception');
    };
    expect(await store.health()).toEqual({ store: 'neo4j', status: 'down', version: 'unknown', detail: 'Neo4j unreachable at bolt://127.0.0.1:7687: connect ECONNREFUSED 127.0.0.1:7687' });
  });

  it('GET /api/health reports the Neo4j store, its status and version (503 with the reason when down)', async () => {
    const rec = new RecordingDriver((q, p) => (q === Q.serverComponents ? [{ name: 'Neo4j Kernel', versions: ['5.26.0'], edition: 'community' }]
      : q === Q.countEntities ? [{ n: neo4j.int(7) }] : emptyDatabase(q, p)));
    const { store } = await open(rec);
    const imports = new ImportService({ store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'lima-2023', maxUploadBytes: 1024, tmpDir: join(tmpdir(), 'casegraph-neo4j-spool') });
    const authDir = mkdtempSync(join(tmpdir(), 'casegraph-neo4j-auth-'));
    const auth = await makeAuth(authDir);
    const app = await signedIn(createApp({ store, imports, auth, log: silentLogger }), auth);
    const up = await request(app).get('/api/health');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'ok', store: { store: 'neo4j', status: 'up', version: 'Neo4j 5.26.0 community' }, counts: { entities: 7 } });
    rec.respond = () => {
      throw new Neo4jError('Failed to connect to server. Caused by: connect ECONNREFUSED 127.0.0.1:7687', 'ServiceUnavailable', '08000', 'connection exception');
    };
    const down = await request(app).get('/api/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'degraded', store: { store: 'neo4j', status: 'down', detail: 'Neo4j unreachable at bolt://127.0.0.1:7687: connect ECONNREFUSED 127.0.0.1:7687' } });
  });

  it('maps a connection lost during a read to store_unavailable', async () => {
    const rec = new RecordingDriver();
    const { store } = await open(rec);
    rec.respond = () => {
      throw new Neo4jError('Connection was closed by server', 'SessionExpired', '08000', 'connection exception');
    };
    await expect(store.counts()).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringContaining('Neo4j unreachable at bolt://127.0.0.1:7687') });
  });

  it('fails start-up with the credential message and closes the driver', async () => {
    const rec = new RecordingDriver(emptyDatabase, async () => {
      throw new Neo4jError('The client is unauthorized due to authentication failure.', 'Neo.ClientError.Security.Unauthorized', '42NFF', 'auth');
    });
    await expect(openNeo4jStore(CFG, { driver: rec.driver })).rejects.toMatchObject({
      code: 'store_unavailable', message: 'Neo4j refused the credentials for user neo4j at bolt://127.0.0.1:7687',
    });
    expect(rec.closed).toBe(true);
    expect(rec.calls).toEqual([]);
  });

  it('close waits for a running import', async () => {
    const { store, rec } = await open();
    const { b } = buildCell();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const chunk = b.flush();
    const pending = store.applyStream(b.source, (async function* () { yield chunk; await gate; })());
    const closing = store.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(rec.closed).toBe(false);
    release();
    await pending;
    await closing;
    expect(rec.closed).toBe(true);
  });
});
