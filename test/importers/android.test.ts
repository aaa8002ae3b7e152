// Android databases (calllog.db, contacts2.db, mmssms.db) through the SQLite importer into the real
// embedded store. Fixtures are generated at test time by seed/generators/android.ts (SYNTHETIC DATA).
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqliteImporter } from '../../backend/src/importers/shared/device-db.importer.ts';
import { LIMITS } from '../../backend/src/importers/shared/limits.ts';
import type { BatchChunk, EventRecord } from '../../backend/src/model/index.ts';
import { ANDROID_STORY, STORY_START_MS, writeSyntheticAndroid, type SyntheticAndroid } from '../../seed/generators/android.ts';
import { ctx, dumpCase, editDb, emailId, importInto, inputFor, phoneId, sqliteFile, workspace, type Workspace } from './harness.ts';

const S = ANDROID_STORY;
const OWNER = phoneId(S.owner);

let gen: Workspace;
let android: SyntheticAndroid;
let legacy: SyntheticAndroid;

beforeAll(() => {
  gen = workspace('android-fixtures');
  android = writeSyntheticAndroid(join(gen.dir, 'extraction'), { seed: 51, calls: 40, contacts: 10, sms: 30 });
  legacy = writeSyntheticAndroid(join(gen.dir, 'legacy'), { seed: 7, calls: 5, contacts: 2, sms: 0, callsIn: 'contacts2' });
});
afterAll(async () => {
  await gen.cleanup();
});

/** All events of the case by locator (a message to two recipients is two events at one locator). */
async function eventsByLocator(w: Workspace): Promise<Map<string, EventRecord[]>> {
  const map = new Map<string, EventRecord[]>();
  for (const b of await dumpCase(w.store)) for (const e of b.events) map.set(e.locator, [...(map.get(e.locator) ?? []), e]);
  return map;
}

describe('android SQLite importer', () => {
  let w: Workspace;
  beforeEach(() => {
    w = workspace('android');
  });
  afterEach(async () => {
    await w.cleanup();
  });

  it('detects SQLite by its magic, not by the file name', () => {
    expect(sqliteImporter.detect(readFileSync(android.files.calllog!).subarray(0, 65536), 'anything.bin')).toBe(true);
    expect(sqliteImporter.detect(Buffer.from('SQLite format 2\0 but not 3'), 'calllog.db')).toBe(false);
    expect(sqliteImporter.detect(Buffer.from('BEGIN:VCARD\r\n'), 'contacts.db')).toBe(false);
  });

  it.each([
    { file: 'calllog.db', kind: 'android-calllog', events: 13 + 40, path: () => android.files.calllog! },
    { file: 'contacts2.db', kind: 'android-contacts', events: 0, path: () => android.files.contacts2 },
    { file: 'mmssms.db', kind: 'android-sms', events: 6 + 30 + 3, path: () => android.files.mmssms },
    { file: 'contacts2.db (older Android, calls inside)', kind: 'android-contacts', events: 13 + 5, path: () => legacy.files.contacts2 },
  ])('parses $file as $kind', async ({ kind, events, path }) => {
    const { result, source } = await importInto(w.store, sqliteImporter, path());
    expect(source.kind).toBe(kind);
    expect(result.status).toBe('applied');
    expect(result.warnings).toEqual([]);
    expect(result.events.created).toBe(events);
    const [src] = await w.store.listSources('test');
    expect(src.kind).toBe(kind);
    const counts = await w.store.counts();
    expect(counts.byType.Device).toBe(1);
  });

  describe('call log', () => {
    let calls: Map<string, EventRecord[]>;
    beforeEach(async () => {
      await importInto(w.store, sqliteImporter, android.files.calllog!);
      calls = await eventsByLocator(w);
    });

    it.each([
      { id: 1, type: 'outgoing', direction: 'outgoing', status: 'answered', ownerIs: 'from' },
      { id: 2, type: 'outgoing, 0 s', direction: 'outgoing', status: 'unanswered', ownerIs: 'from' },
      { id: 4, type: '1 incoming', direction: 'incoming', status: 'answered', ownerIs: 'to' },
      { id: 5, type: '3 missed', direction: 'incoming', status: 'missed', ownerIs: 'to' },
      { id: 6, type: '4 voicemail', direction: 'incoming', status: 'voicemail', ownerIs: 'to' },
      { id: 7, type: '5 rejected', direction: 'incoming', status: 'rejected', ownerIs: 'to' },
      { id: 8, type: '6 blocked', direction: 'incoming', status: 'blocked', ownerIs: 'to' },
      { id: 9, type: '7 answered elsewhere', direction: 'incoming', status: 'answered elsewhere', ownerIs: 'to' },
    ])('maps call type $type to $direction/$status', ({ id, direction, status, ownerIs }) => {
      const [e] = calls.get(`calls/_id=${id}`)!;
      expect(e.kind).toBe('call');
      expect(e.props).toMatchObject({ direction, status });
      expect(ownerIs === 'from' ? e.from : e.to).toBe(OWNER);
    });

    it('reads `date` as ms since 1970 and keeps the original value', () => {
      const [e] = calls.get('calls/_id=4')!;
      expect(e.at).toBe('2023-09-20T03:00:00.000Z');
      expect(e.original).toBe(String(STORY_START_MS + 180 * 60_000));
      expect(e.durationS).toBe(310);
    });

    it('takes the owner line from phone_account_address (the SIM number)', async () => {
      const owner = await w.store.getEntity(OWNER);
      expect(owner).toMatchObject({ type: 'Phone', props: { number: S.owner, country: 'PE' } });
      const view = await w.store.neighbours([OWNER], { depth: 1, limit: 100, linkTypes: ['USES_PHONE'] });
      expect(view.entities.filter((e) => e.id !== OWNER).map((e) => e.type)).toEqual(['Device']);
    });

    it('makes one Phone of a Malaysian number written three ways (per-row countryiso)', async () => {
      const target = phoneId(S.target);
      for (const id of [1, 2, 3]) expect(calls.get(`calls/_id=${id}`)![0].to).toBe(target);
      const detail = (await w.store.getEntity(target))!;
      expect(detail.props).toMatchObject({ number: '+60321611111', country: 'MY' });
      expect(detail.sources.map((s) => s.locator).sort()).toEqual(['calls/_id=1', 'calls/_id=2', 'calls/_id=3']);
      const link = (await w.store.neighbours([OWNER], { depth: 1, limit: 100, linkTypes: ['CALLED'] })).links.find((l) => l.to === target)!;
      expect(link).toMatchObject({ count: 3, durationS: 95 + 42 });
    });

    it('reads a national-format Peruvian number in the SIM country', () => {
      expect(calls.get('calls/_id=12')![0].to).toBe(phoneId('+51987650123'));
    });

    it('keeps two withheld callers apart', async () => {
      const [a] = calls.get('calls/_id=10')!;
      const [b] = calls.get('calls/_id=11')!;
      expect(a.from).not.toBe(b.from);
      for (const id of [a.from, b.from]) {
        const e = (await w.store.getEntity(id))!;
        expect(e.props.numberKind).toBe('withheld');
        expect(e.degree).toBe(1);
      }
    });

    it('marks VoIP app calls and video calls', () => {
      expect(calls.get('calls/_id=13')![0].props).toMatchObject({ app: 'com.whatsapp', video: true });
    });
  });

  describe('contacts', () => {
    let links: Awaited<ReturnType<typeof dumpCase>>[number]['links'];
    let deviceId: string;
    beforeEach(async () => {
      await importInto(w.store, sqliteImporter, android.files.contacts2);
      const [batch] = await dumpCase(w.store);
      links = batch.links;
      deviceId = batch.entities.find((e) => e.type === 'Device')!.id;
    });
    const contactTo = (id: string) => links.find((l) => l.type === 'HAS_CONTACT' && l.from === deviceId && l.to === id);

    it('links the device to each saved number with the saved name and label', () => {
      expect(contactTo(phoneId(S.handlerA))?.props).toMatchObject({ name: 'Handler A (synthetic)', label: 'Mobile', source: 'Google' });
      expect(contactTo(phoneId(S.localHelper))?.props).toMatchObject({ name: 'Chofer (synthetic)', label: 'Chofer' });
    });

    it("uses Android's E.164 (data4) for numbers typed in another country's format", async () => {
      expect(contactTo(phoneId(S.handlerB))?.props).toMatchObject({ name: 'Handler B (synthetic)' });
      expect((await w.store.getEntity(phoneId(S.handlerB)))!.props).toMatchObject({ original: '0933 000 222', country: 'TW' });
      expect(contactTo(phoneId(S.target))?.props).toMatchObject({ name: 'Oficina KL (synthetic)', label: 'Work' });
    });

    it('adds e-mail addresses as Email entities', () => {
      expect(contactTo(emailId('handler.b@example.invalid'))?.props).toMatchObject({ name: 'Handler B (synthetic)' });
      expect(contactTo(emailId('synthetic-data@example.invalid'))?.props.note).toMatch(/^SYNTHETIC DATA/);
    });

    it('reads WhatsApp JIDs as the Phone plus its WhatsApp Account', async () => {
      const phone = phoneId(S.targetMobile);
      expect(contactTo(phone)?.props).toMatchObject({ source: 'WhatsApp', name: 'Target mobile (synthetic)' });
      const view = await w.store.neighbours([phone], { depth: 1, limit: 10, linkTypes: ['USES_ACCOUNT'] });
      expect(view.entities.filter((e) => e.id !== phone)).toMatchObject([{ type: 'Account', props: { handle: '60123456789@s.whatsapp.net', app: 'WhatsApp' } }]);
    });

    it('flags deleted raw contacts and keeps markup in names as literal text', async () => {
      expect(contactTo(phoneId('+51987650999'))?.props).toMatchObject({ deleted: true });
      expect(contactTo(phoneId('+886955000333'))?.props.name).toBe('<b>Jefe</b> <script>alert(1)</script>');
      const [hit] = await w.store.search({ q: 'Jefe', limit: 5 });
      expect(hit.id).toBe(phoneId('+886955000333'));
    });
  });

  describe('messages', () => {
    let msgs: Map<string, EventRecord[]>;
    beforeEach(async () => {
      await importInto(w.store, sqliteImporter, android.files.mmssms);
      msgs = await eventsByLocator(w);
    });

    it('keeps a short code, an alphanumeric sender and numbers as distinct senders', async () => {
      const short = msgs.get('sms/_id=1')![0];
      const alpha = msgs.get('sms/_id=2')![0];
      expect(short.from).toBe(phoneId('short:PE:20202'));
      expect(alpha.from).toBe(phoneId('alpha:MOVISTAR'));
      expect((await w.store.getEntity(short.from))!.props.numberKind).toBe('short');
      expect((await w.store.getEntity(alpha.from))!.props.numberKind).toBe('alpha');
      expect(short.props).toMatchObject({ direction: 'incoming', status: 'received', body: 'Recarga exitosa de S/ 10.00 (synthetic)' });
    });

    it.each([
      { id: 3, direction: 'incoming', status: 'received' },
      { id: 4, direction: 'outgoing', status: 'sent' },
      { id: 5, direction: 'outgoing', status: 'failed' },
      { id: 6, direction: 'outgoing', status: 'draft' },
    ])('maps sms/_id=$id to $direction/$status', ({ id, direction, status }) => {
      expect(msgs.get(`sms/_id=${id}`)![0].props).toMatchObject({ direction, status });
    });

    it('reads SMS dates in ms and MMS dates in seconds', () => {
      const sms = msgs.get('sms/_id=1')![0];
      expect(sms.at).toBe('2023-09-20T00:05:00.000Z');
      expect(sms.original).toBe(String(STORY_START_MS + 5 * 60_000 + 500));
      const mms = msgs.get('pdu/_id=2')![0];
      expect(mms.at).toBe('2023-09-20T00:12:00.000Z');
      expect(mms.original).toBe(String(STORY_START_MS / 1000 + 12 * 60));
    });

    it('finds a draft recipient through its thread, and MMS parties through addr', () => {
      expect(msgs.get('sms/_id=6')![0]).toMatchObject({ to: phoneId(S.handlerA) });
      const sent = msgs.get('pdu/_id=1')!;
      expect(sent.map((e) => e.to).sort()).toEqual([phoneId(S.target), phoneId(S.targetMobile)].sort());
      expect(sent[0].props).toMatchObject({ direction: 'outgoing', body: 'Lista de números (synthetic)', subject: 'lista' });
      expect(msgs.get('pdu/_id=2')![0]).toMatchObject({ kind: 'mms', from: phoneId(S.handlerA), props: { body: '收到 (synthetic)' } });
    });
  });

  it('generates byte-identical fixtures for the same seed', () => {
    const again = writeSyntheticAndroid(join(w.dir, 'again'), { seed: 51, calls: 40, contacts: 10, sms: 30 });
    for (const k of ['calllog', 'contacts2', 'mmssms'] as const) {
      expect(readFileSync(again.files[k]!).equals(readFileSync(android.files[k]!)), k).toBe(true);
    }
    const other = writeSyntheticAndroid(join(w.dir, 'other'), { seed: 52, calls: 40 });
    expect(readFileSync(other.files.calllog!).equals(readFileSync(android.files.calllog!))).toBe(false);
  });

  it('merges the same subscriber across the three databases, keeping every provenance', async () => {
    for (const f of [android.files.calllog!, android.files.contacts2, android.files.mmssms]) await importInto(w.store, sqliteImporter, f);
    const target = (await w.store.getEntity(phoneId(S.target)))!;
    expect(new Set(target.sources.map((s) => s.sourceKind))).toEqual(new Set(['android-calllog', 'android-contacts', 'android-sms']));
    expect((await w.store.counts()).sources).toBe(3);
  });

  it('streams a large call log in several chunks', async () => {
    const big = writeSyntheticAndroid(join(w.dir, 'big'), { seed: 3, calls: 6000 });
    const input = await inputFor(big.files.calllog!);
    const parsed = await sqliteImporter.parse(input, ctx);
    let chunks = 0;
    async function* counted(): AsyncGenerator<BatchChunk> {
      for await (const c of parsed.chunks) {
        chunks++;
        expect(c.entities.length + c.links.length + c.events.length).toBeLessThanOrEqual(LIMITS.chunkRecords + 10);
        yield c;
      }
    }
    const r = await w.store.applyStream(parsed.source, counted());
    expect(chunks).toBeGreaterThan(1);
    expect(r.events.created).toBeGreaterThan(5000);
  });

  it('leaves the evidence folder as it was, also for a WAL-mode database', async () => {
    const dir = join(w.dir, 'evidence');
    const copy = writeSyntheticAndroid(dir, { seed: 9 }).files.calllog!;
    editDb(copy, (db) => db.pragma('journal_mode = WAL'));
    const before = readdirSync(dir).sort();
    const bytes = readFileSync(copy);
    expect(bytes[18]).toBe(2); // WAL mode in the header
    const { result } = await importInto(w.store, sqliteImporter, copy);
    expect(result.status).toBe('applied');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(copy).equals(bytes)).toBe(true);
  });

  describe('broken and hostile files: import_failed with file and position, nothing written', () => {
    const cases: { file: string; make: (dir: string) => string; position: string; message: RegExp }[] = [
      {
        file: 'not-sqlite.db',
        make: (dir) => {
          writeFileSync(join(dir, 'not-sqlite.db'), 'number,date\n+51987650001,yesterday\n');
          return join(dir, 'not-sqlite.db');
        },
        position: 'offset 0',
        message: /not a SQLite database/,
      },
      {
        file: 'unknown.db',
        make: (dir) => sqliteFile(join(dir, 'unknown.db'), 'CREATE TABLE foo (a); CREATE TABLE "<b>bar</b>" (b);'),
        position: 'sqlite_master',
        message: /unsupported SQLite database: tables "<b>bar<\/b>", "foo"/,
      },
      {
        file: 'truncated-calllog.db',
        make: (dir) => {
          const full = writeSyntheticAndroid(join(dir, 'full'), { seed: 5, calls: 300 }).files.calllog!;
          writeFileSync(join(dir, 'truncated-calllog.db'), readFileSync(full).subarray(0, 4096));
          return join(dir, 'truncated-calllog.db');
        },
        position: 'header',
        message: /truncated SQLite file/,
      },
      {
        file: 'corrupt-page-calllog.db',
        make: (dir) => {
          const full = writeSyntheticAndroid(join(dir, 'corrupt'), { seed: 5, calls: 300 }).files.calllog!;
          const bytes = readFileSync(full);
          bytes.fill(0xab, 4096 * 7, 4096 * 8); // one b-tree page of the calls table overwritten
          writeFileSync(join(dir, 'corrupt-page-calllog.db'), bytes);
          return join(dir, 'corrupt-page-calllog.db');
        },
        position: 'table calls',
        message: /corrupt or truncated SQLite file/,
      },
      {
        file: 'bad-date-calllog.db',
        make: (dir) => {
          const p = writeSyntheticAndroid(join(dir, 'bad'), { seed: 5 }).files.calllog!;
          editDb(p, (db) => db.prepare(`UPDATE calls SET date = 'yesterday' WHERE _id = 3`).run());
          copyFileSync(p, join(dir, 'bad-date-calllog.db'));
          return join(dir, 'bad-date-calllog.db');
        },
        position: 'table calls row _id=3',
        message: /date "yesterday" is not a number/,
      },
      {
        file: 'no-date-column.db',
        make: (dir) => sqliteFile(join(dir, 'no-date-column.db'), "CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, type INTEGER); INSERT INTO calls VALUES (1, '+51987650001', 1);"),
        position: 'table calls',
        message: /missing column date/,
      },
    ];

    it.each(cases)('$file', async ({ file, make, position, message }) => {
      const path = make(w.dir);
      const run = async () => {
        const input = await inputFor(path, file);
        const parsed = await sqliteImporter.parse(input, ctx);
        return w.store.applyStream(parsed.source, parsed.chunks);
      };
      const err = await run().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'import_failed' });
      expect((err as Error).message).toContain(`${file} ${position}`);
      expect((err as Error).message).toMatch(message);
      expect(await w.store.counts()).toMatchObject({ entities: 0, links: 0, events: 0, sources: 0 });
    });

    it('bounds an oversized number and cached name instead of storing them whole', async () => {
      const p = writeSyntheticAndroid(join(w.dir, 'huge'), { seed: 5 }).files.calllog!;
      editDb(p, (db) => db.prepare('UPDATE calls SET number = ?, name = ? WHERE _id = 12').run('9'.repeat(1_000_000), '<i>x</i>'.repeat(200_000)));
      const { result } = await importInto(w.store, sqliteImporter, p);
      expect(result.status).toBe('applied');
      const [batch] = await dumpCase(w.store);
      const [call] = batch.events.filter((e) => e.locator === 'calls/_id=12');
      const remote = (await w.store.getEntity(call.to))!;
      expect(String(remote.props.original).length).toBeLessThanOrEqual(256);
      expect(String(call.props.cachedName).length).toBeLessThanOrEqual(500);
    });

    it('skips a call whose date is a number but not a plausible time (0), with a warning', async () => {
      const p = writeSyntheticAndroid(join(w.dir, 'zero'), { seed: 5 }).files.calllog!;
      editDb(p, (db) => db.prepare('UPDATE calls SET date = 0 WHERE _id = 2').run());
      const { result } = await importInto(w.store, sqliteImporter, p);
      expect(result.events.created).toBe(12);
      expect(result.warnings).toEqual([expect.stringMatching(/^calllog\.db table calls row _id=2: date 0 is not a plausible time/)]);
    });
  });
});
