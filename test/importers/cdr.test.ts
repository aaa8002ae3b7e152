// The CDR (operator call records) importer against the real embedded store: fixtures with their mappings,
// encodings generated here with iconv-lite, broken files that must fail whole with file and line.
// All data is synthetic (see test/fixtures/cdr/README.md).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { callTypeClassifier, CdrMapping, type CdrMappingInput } from '../../backend/src/importers/cdr/cdr.mapping.ts';
import { cdrImporter, createCdrImporter, parseCdr, parseDuration } from '../../backend/src/importers/cdr/cdr.importer.ts';
import { inferCdrMapping, sniffEncoding } from '../../backend/src/importers/cdr/cdr.infer.ts';
import { LIMITS } from '../../backend/src/importers/shared/limits.ts';
import type { ImportContext, ImportInput } from '../../backend/src/importers/types.ts';
import { makeId, type EventRecord } from '../../backend/src/model/index.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { useWorkspace } from './harness.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';

const FIX = join(import.meta.dirname, '../fixtures/cdr');
const ctx: ImportContext = { defaultCase: 'test', importedBy: 'test', defaultRegion: 'PE', secret: 'x'.repeat(32) };
const phoneId = (e164: string) => makeId('Phone', `number=${e164}`);

async function inputOf(path: string): Promise<ImportInput> {
  return { name: basename(path), path, sha256: await hashFile(path), size: statSync(path).size };
}

const LIMA_MAPPING: CdrMappingInput = {
  name: 'lima-operator', delimiter: ';', encoding: 'utf-8', header: true,
  columns: {
    aNumber: 'A_PARTY', bNumber: 'B_PARTY', date: 'FECHA', time: 'HORA', duration: 'DURACION', callType: 'TIPO',
    imei: 'IMEI', imsi: 'IMSI', cellFirst: 'CELDA_INICIO', cellLast: 'celda_fin',
  },
  dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm:ss', durationFormat: 'seconds', decimalComma: true, timeZone: 'America/Lima', region: 'PE',
};
const SEMI_DMY: CdrMappingInput = {
  delimiter: ';', columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', date: 'DATE', time: 'TIME', duration: 'DURATION' },
  dateFormat: 'DD/MM/YYYY', timeZone: 'America/Lima', region: 'PE',
};

interface GoodCase {
  file: string;
  mapping: CdrMappingInput;
  counts: { Phone: number; Device?: number; links: number; events: number };
  /** events in file order: UTC instant, duration, kind, props subset */
  events: { at: string; durationS: number | null; kind: string; from: string; to: string; props?: Record<string, unknown> }[];
}

const GOOD: GoodCase[] = [
  {
    // `;`, decimal comma, DD/MM/YYYY + separate time, America/Lima (UTC−5, no DST) → exact UTC instants
    file: 'synthetic-semicolon-lima.csv', mapping: LIMA_MAPPING,
    counts: { Phone: 3, Device: 1, links: 5, events: 4 },
    events: [
      { at: '2023-09-16T02:05:09.000Z', durationS: 125.5, kind: 'call', from: '+51987654321', to: '+60123456789',
        props: { direction: 'outgoing', served: 'A', callType: 'MO', service: 'voice-out', zoneAssumed: 'America/Lima', cellFirst: '716-10-1201-30041', cellLast: '716-10-1201-30042', imsi: '716100123456789' } },
      { at: '2023-09-16T04:59:59.000Z', durationS: 0, kind: 'call', from: '+60123456789', to: '+51987654321', props: { direction: 'incoming', served: 'B', callType: 'MT', service: 'voice-in' } },
      { at: '2023-09-16T05:00:01.000Z', durationS: null, kind: 'sms', from: '+51987654321', to: '+886912345678', props: { direction: 'outgoing', service: 'sms-out' } },
      { at: '2023-10-07T10:30:00.000Z', durationS: null, kind: 'sms', from: '+886912345678', to: '+51987654321', props: { direction: 'incoming', service: 'sms-in' } },
    ],
  },
  {
    // one date-time column, durations mm:ss (75:00 = 4500 s), Kuala Lumpur time (UTC+8)
    file: 'synthetic-mmss.csv',
    mapping: {
      delimiter: ',', columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', datetime: 'CALL_DATE', duration: 'DURATION', callType: 'CALL_TYPE' },
      dateFormat: 'YYYY-MM-DD HH:mm:ss', durationFormat: 'mm:ss', timeZone: 'Asia/Kuala_Lumpur', region: 'MY',
    },
    counts: { Phone: 2, links: 3, events: 3 },
    events: [
      { at: '2023-09-20T02:00:00.000Z', durationS: 65, kind: 'call', from: '+60321611111', to: '+886223456789', props: { direction: 'outgoing', callType: 'MOC' } },
      { at: '2023-09-20T03:30:00.000Z', durationS: 4500, kind: 'call', from: '+886223456789', to: '+60321611111', props: { direction: 'incoming', callType: 'MTC' } },
      { at: '2023-09-21T00:15:30.000Z', durationS: null, kind: 'sms', from: '+60321611111', to: '+886223456789', props: { service: 'sms-out' } },
    ],
  },
  {
    // `+60 3-2161 1111`, `0060321611111`, `03-2161 1111` with region MY are one Phone; no call-type column = calls
    file: 'synthetic-same-number-my.csv',
    mapping: { columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', date: 'DATE', time: 'TIME', duration: 'DURATION' }, dateFormat: 'DD/MM/YYYY', timeZone: 'Asia/Kuala_Lumpur', region: 'MY' },
    counts: { Phone: 2, links: 1, events: 3 },
    events: [
      { at: '2023-09-01T02:00:00.000Z', durationS: 30, kind: 'call', from: '+60321611111', to: '+5114371234', props: { service: 'voice-out' } },
      { at: '2023-09-01T03:00:00.000Z', durationS: 31, kind: 'call', from: '+60321611111', to: '+5114371234' },
      { at: '2023-09-01T04:00:00.000Z', durationS: 32, kind: 'call', from: '+60321611111', to: '+5114371234' },
    ],
  },
  {
    // no header: columns by index, numeric call-type codes through callTypeMap, YYYYMMDD + HHmmss, an alphanumeric sender
    file: 'synthetic-no-header-codes.csv',
    mapping: {
      delimiter: ';', header: false, columns: { callType: 0, aNumber: 1, bNumber: 2, date: 3, time: 4, duration: 5 },
      dateFormat: 'YYYYMMDD', timeFormat: 'HHmmss', timeZone: 'America/Lima', callTypeMap: { 1: 'voice-out', 2: 'voice-in', 3: 'sms-in' },
    },
    counts: { Phone: 3, links: 3, events: 3 },
    events: [
      { at: '2023-09-01T15:00:00.000Z', durationS: 30, kind: 'call', from: '+51987654321', to: '+60123456789', props: { direction: 'outgoing', callType: '1' } },
      { at: '2023-09-01T15:15:00.000Z', durationS: 45, kind: 'call', from: '+60123456789', to: '+51987654321', props: { direction: 'incoming', served: 'B' } },
      { at: '2023-09-02T14:30:00.000Z', durationS: null, kind: 'sms', from: 'alpha:MAYBANK', to: '+51987654321', props: { service: 'sms-in' } },
    ],
  },
];

async function eventsOf(store: EmbeddedGraphStore): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for await (const batch of store.dump()) out.push(...batch.events);
  return out.sort((a, b) => Number(a.locator.split(' ')[1]) - Number(b.locator.split(' ')[1]));
}

describe('CDR importer', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  useWorkspace('cdr', (ws) => {
    dir = ws.dir;
    store = ws.store;
  });

  async function importWith(path: string, mapping?: CdrMappingInput, c: ImportContext = ctx) {
    const input = await inputOf(path);
    const parsed = mapping ? await parseCdr(input, c, mapping) : await cdrImporter.parse(input, c);
    return store.applyStream(parsed.source, parsed.chunks);
  }

  it.each(GOOD)('parses $file', async ({ file, mapping, counts, events }) => {
    const r = await importWith(join(FIX, file), mapping);
    expect(r.status).toBe('applied');
    const c = await store.counts();
    expect(c.byType.Phone).toBe(counts.Phone);
    expect(c.byType.Device ?? 0).toBe(counts.Device ?? 0);
    expect(c).toMatchObject({ links: counts.links, events: counts.events, sources: 1 });
    const got = await eventsOf(store);
    expect(got).toHaveLength(events.length);
    events.forEach((want, i) => {
      const e = got[i];
      expect({ at: e.at, durationS: e.durationS, kind: e.kind }).toEqual({ at: want.at, durationS: want.durationS, kind: want.kind });
      const from = want.from.startsWith('+') ? phoneId(want.from) : makeId('Phone', `number=${want.from.toLowerCase()}`);
      expect(e.from).toBe(from);
      expect(e.to).toBe(phoneId(want.to));
      expect(e.locator).toMatch(/^line \d+$/);
      if (want.props) expect(e.props).toMatchObject(want.props);
    });
    // the original local text is kept beside the UTC instant
    expect(got[0].original).not.toBe('');
  });

  it('keeps the original local time, the zone it was read in, and a line locator per record', async () => {
    await importWith(join(FIX, 'synthetic-semicolon-lima.csv'), LIMA_MAPPING);
    const [first] = await eventsOf(store);
    expect(first).toMatchObject({ original: '15/09/2023 21:05:09', locator: 'line 2' });
    expect(first.props.zoneAssumed).toBe('America/Lima');
    const phone = (await store.getEntity(phoneId('+60123456789')))!;
    expect(phone.props).toMatchObject({ number: '+60123456789', country: 'MY' });
    expect(phone.sources.map((s) => s.locator).sort()).toEqual(['line 2', 'line 3']);
  });

  it('links the IMEI to the served subscriber: A for MO, B for MT (A stays the caller)', async () => {
    await importWith(join(FIX, 'synthetic-semicolon-lima.csv'), LIMA_MAPPING);
    const device = (await store.getEntity(makeId('Device', 'imei=356938035643809')))!;
    expect(device.props.imei).toBe('356938035643809');
    const around = await store.neighbours([device.id], { depth: 1, limit: 10, linkTypes: ['USES_PHONE'] });
    expect(around.entities.filter((e) => e.type === 'Phone').map((e) => e.id)).toEqual([phoneId('+51987654321')]);
    // seen on four rows with the same number: one Device, one USES_PHONE link
    expect(around.links).toHaveLength(1);
  });

  it('reads the same number in three spellings as one Phone (region MY)', async () => {
    await importWith(join(FIX, 'synthetic-same-number-my.csv'), GOOD[2].mapping);
    const p = (await store.getEntity(phoneId('+60321611111')))!;
    expect(p.props.number).toBe('+60321611111');
    const view = await store.neighbours([p.id], { depth: 1, limit: 10 });
    expect(view.links).toHaveLength(1);
    expect(view.links[0]).toMatchObject({ type: 'CALLED', count: 3, durationS: 93 });
  });

  it('decodes a windows-1252 file (Pérez) given its encoding, and guesses it without a mapping', async () => {
    const text = 'CALLING_NO;A_NAME;CALLED_NO;DATE;TIME;DURATION\n+51987654321;José Pérez Ñuñez;+60123456789;01/09/2023;10:00:00;12,5\n';
    const path = join(dir, 'synthetic-cp1252.csv');
    writeFileSync(path, iconv.encode(text, 'windows-1252'));
    expect(sniffEncoding(readFileSync(path)).encoding).toBe('windows-1252');
    await importWith(path, { ...SEMI_DMY, encoding: 'windows-1252', decimalComma: true, columns: { ...SEMI_DMY.columns, aName: 'A_NAME' } });
    const [hit] = await store.search({ q: 'Pérez', limit: 5 });
    expect(hit.id).toBe(phoneId('+51987654321'));
    expect((await store.getEntity(hit.id))!.props.aliases).toContain('José Pérez Ñuñez');

    // the same bytes without a mapping: windows-1252 by fallback, with a warning
    const other = new EmbeddedGraphStore({ file: join(dir, 'guess.sqlite') });
    try {
      const parsed = await cdrImporter.parse(await inputOf(path), ctx);
      const r = await other.applyStream(parsed.source, parsed.chunks);
      expect(r.warnings.join('\n')).toMatch(/windows-1252/);
      expect((await other.getEntity(phoneId('+51987654321')))!.props.aliases).toContain('José Pérez Ñuñez');
    } finally {
      await other.close();
    }
  });

  it('reads UTF-16LE with a BOM (explicit and detected)', async () => {
    const text = 'CALLING_NO\tCALLED_NO\tDATETIME\tDURATION\tCALL_TYPE\tA_NAME\r\n+886912345678\t+51987654321\t2023-09-05 22:00:00\t0:01:10\tMO\t陳大龍\r\n';
    const path = join(dir, 'synthetic-utf16.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]));
    const head = readFileSync(path);
    expect(cdrImporter.detect(head, 'synthetic-utf16.csv')).toBe(true);
    await importWith(path, {
      delimiter: '\t', encoding: 'utf-16le',
      columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', datetime: 'DATETIME', duration: 'DURATION', callType: 'CALL_TYPE', aName: 'A_NAME' },
      dateFormat: 'YYYY-MM-DD HH:mm:ss', durationFormat: 'hh:mm:ss', timeZone: 'America/Lima',
    });
    const [e] = await eventsOf(store);
    expect(e).toMatchObject({ at: '2023-09-06T03:00:00.000Z', durationS: 70, from: phoneId('+886912345678'), to: phoneId('+51987654321') });
    expect((await store.getEntity(phoneId('+886912345678')))!.props.aliases).toContain('陳大龍');
    const inferred = inferCdrMapping(head, false);
    expect(inferred).toMatchObject({ mapping: { encoding: 'utf-16le', delimiter: '\t', durationFormat: 'hh:mm:ss' } });
  });

  it('stores formula-looking cells as plain text', async () => {
    await importWith(join(FIX, 'synthetic-formula-cells.csv'), {
      columns: { aNumber: 'CALLING_NO', aName: 'A_NAME', bNumber: 'CALLED_NO', datetime: 'DATETIME', duration: 'DURATION', cellFirst: 'CELL_FIRST' },
      dateFormat: 'YYYY-MM-DDTHH:mm:ss', timeZone: 'America/Lima',
    });
    const p = (await store.getEntity(phoneId('+51987654321')))!;
    expect(p.props.aliases).toContain('=HYPERLINK("http://evil.example/x","click me")');
    // the second name on the same number is searchable text too
    expect((await store.search({ q: 'SUM', limit: 5 })).map((h) => h.id)).toContain(p.id);
    const events = await eventsOf(store);
    expect(events.map((e) => e.props.cellFirst)).toEqual(['=1+2', '-2+3']);
  });

  it('infers a mapping from well-known headers: times as UTC with zoneAssumed and a warning', async () => {
    const path = join(FIX, 'synthetic-mmss.csv');
    expect(cdrImporter.detect(readFileSync(path), 'whatever.txt')).toBe(true);
    const r = await importWith(path);
    expect(r.warnings.join('\n')).toMatch(/no mapping given.*UTC/);
    const events = await eventsOf(store);
    expect(events.map((e) => [e.at, e.durationS, e.props.zoneAssumed])).toEqual([
      ['2023-09-20T10:00:00.000Z', 65, 'UTC'],
      ['2023-09-20T11:30:00.000Z', 4500, 'UTC'],
      ['2023-09-21T08:15:30.000Z', null, 'UTC'],
    ]);
    const lima = inferCdrMapping(readFileSync(join(FIX, 'synthetic-semicolon-lima.csv')), false);
    expect(lima).toMatchObject({
      mapping: {
        delimiter: ';', encoding: 'utf-8', dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm:ss', decimalComma: true, timeZone: 'UTC',
        columns: { aNumber: 'A_PARTY', bNumber: 'B_PARTY', date: 'FECHA', time: 'HORA', duration: 'DURACION', callType: 'TIPO', imei: 'IMEI', cellFirst: 'CELDA_INICIO', cellLast: 'CELDA_FIN' },
      },
    });
  });

  it('does not detect other files as CDRs', () => {
    expect(cdrImporter.detect(Buffer.from('casegraph: report/1\ncase: x\n'), 'x.yaml')).toBe(false);
    expect(cdrImporter.detect(Buffer.from('name,phone\nJosé,+51987654321\n'), 'contacts.csv')).toBe(false);
    expect(cdrImporter.detect(Buffer.from('BEGIN:VCARD\nVERSION:3.0\n'), 'x.vcf')).toBe(false);
    expect(cdrImporter.detect(Buffer.from('A-Party;B-Party;Date\n'), 'x.csv')).toBe(true);
  });

  it('uses the mapping from createCdrImporter(getMapping)', async () => {
    const imp = createCdrImporter(() => LIMA_MAPPING);
    const parsed = await imp.parse(await inputOf(join(FIX, 'synthetic-semicolon-lima.csv')), ctx);
    const r = await store.applyStream(parsed.source, parsed.chunks);
    expect(r.warnings).toEqual([]);
    expect(parsed.source.kind).toBe('cdr');
    // ctx.mapping (once ImportContext carries it) is read by the registered importer
    const withMapping = { ...ctx, case: 'other', mapping: LIMA_MAPPING } as ImportContext;
    const again = await cdrImporter.parse(await inputOf(join(FIX, 'synthetic-semicolon-lima.csv')), withMapping);
    expect((await store.applyStream(again.source, again.chunks)).warnings).toEqual([]);
  });

  it('reports progress every 10k rows with bytes read, and streams in chunks', async () => {
    const path = join(dir, 'synthetic-progress.csv');
    const lines = ['CALLING_NO;CALLED_NO;DATE;TIME;DURATION'];
    for (let i = 0; i < 25_000; i++) lines.push(`+5198${String(7_000_000 + (i % 500)).padStart(7, '0')};+6012${String(3_000_000 + i).padStart(7, '0')};01/09/2023;10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')};${i % 600}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const seen: { records: number; bytes?: number; total?: number }[] = [];
    const parsed = await parseCdr(await inputOf(path), { ...ctx, onProgress: (p) => seen.push(p) }, SEMI_DMY);
    // consumed without a store (the store's speed is not under test here)
    let chunks = 0;
    let events = 0;
    let biggest = 0;
    for await (const c of parsed.chunks) {
      chunks++;
      events += c.events.length;
      biggest = Math.max(biggest, c.entities.length + c.links.length + c.events.length);
    }
    expect(seen.map((p) => p.records)).toEqual([10_000, 20_000, 25_000]);
    expect(seen[0].bytes).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ bytes: statSync(path).size, total: statSync(path).size });
    expect(events).toBe(25_000);
    expect(chunks).toBeGreaterThan(5);
    expect(biggest).toBeLessThanOrEqual(LIMITS.chunkRecords + 3);
  });

  const BROKEN: { file: string; mapping: CdrMappingInput; error: RegExp }[] = [
    { file: 'synthetic-bad-date-line4.csv', mapping: SEMI_DMY, error: /^synthetic-bad-date-line4\.csv line 4: column "DATE" value "31\/02\/2023x" does not match DD\/MM\/YYYY$/ },
    { file: 'synthetic-bad-duration-line3.csv', mapping: SEMI_DMY, error: /^synthetic-bad-duration-line3\.csv line 3: column "DURATION" value "1m30" does not match seconds$/ },
    { file: 'synthetic-too-many-columns.csv', mapping: SEMI_DMY, error: /^synthetic-too-many-columns\.csv line 3: the record has 6 fields but the first row has 5/ },
    { file: 'synthetic-formula-in-number.csv', mapping: { columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', datetime: 'DATETIME' }, dateFormat: 'ISO', timeZone: 'America/Lima' }, error: /^synthetic-formula-in-number\.csv line 3: column "CALLED_NO" value "=HYPERLINK\(.*is not a phone number$/ },
    { file: 'synthetic-semicolon-lima.csv', mapping: { ...SEMI_DMY, columns: { ...SEMI_DMY.columns, aNumber: 'CALLING' } }, error: /^synthetic-semicolon-lima\.csv line 1: mapping column aNumber is "CALLING" but the header has "A_PARTY"/ },
    { file: 'synthetic-semicolon-lima.csv', mapping: { ...LIMA_MAPPING, dateFormat: 'MM/DD/YYYY' }, error: /line 2: column "FECHA" value "15\/09\/2023" does not match MM\/DD\/YYYY/ },
    { file: 'synthetic-semicolon-lima.csv', mapping: { ...LIMA_MAPPING, decimalComma: false }, error: /line 2: column "DURACION" value "125,5" does not match seconds$/ },
    { file: 'synthetic-mmss.csv', mapping: { ...GOOD[1].mapping, durationFormat: 'seconds' }, error: /line 2: column "DURATION" value "01:05" does not match seconds/ },
    { file: 'synthetic-no-header-codes.csv', mapping: { ...GOOD[3].mapping, columns: { aNumber: 1, bNumber: 2, date: 3, time: 4, imei: 6 } }, error: /^synthetic-no-header-codes\.csv line 1: mapping column imei is index 6 but the first record has 6 columns$/ },
  ];

  it.each(BROKEN)('refuses $file ($error) and writes nothing', async ({ file, mapping, error }) => {
    const before = await store.counts();
    const err = await importWith(join(FIX, file), mapping).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toMatch(error);
    expect(await store.counts()).toEqual(before);
    expect(await store.hasSource((await inputOf(join(FIX, file))).sha256, 'test')).toBe(false);
  });

  it('rolls back a failure after chunks were already handed to the store, then imports a good file', async () => {
    const path = join(dir, 'synthetic-late-bad-date.csv');
    const lines = ['CALLING_NO;CALLED_NO;DATE;TIME;DURATION'];
    const good = LIMITS.chunkRecords;
    for (let i = 0; i < good; i++) lines.push(`+51987654321;+6012${String(4_000_000 + i).padStart(7, '0')};02/09/2023;11:00:00;5`);
    lines.push('+51987654321;+60123456789;31/02/2023;10:00:00;30');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const parsed = await parseCdr(await inputOf(path), ctx, SEMI_DMY);
    let handed = 0;
    const counted = (async function* () {
      for await (const c of parsed.chunks) {
        handed++;
        yield c;
      }
    })();
    const err = await store.applyStream(parsed.source, counted).catch((e: unknown) => e);
    expect(handed).toBeGreaterThan(1);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toBe(`synthetic-late-bad-date.csv line ${good + 2}: column "DATE" value "31/02/2023" does not match DD/MM/YYYY`);
    expect(await store.counts()).toMatchObject({ entities: 0, links: 0, events: 0, sources: 0 });
    const r = await importWith(join(FIX, 'synthetic-bad-date-line4.csv').replace('bad-date-line4', 'semicolon-lima'), LIMA_MAPPING);
    expect(r.status).toBe('applied');
    expect(await store.counts()).toMatchObject({ events: 4, sources: 1 });
  });

  it('reads local times across a DST change in the mapping\'s zone', async () => {
    const path = join(dir, 'synthetic-dst.csv');
    writeFileSync(path, [
      'CALLING_NO,CALLED_NO,DATETIME', '+34600000001,+51987654321,26/03/2023 01:59:59', '+34600000001,+51987654321,26/03/2023 03:00:00',
      '+34600000001,+51987654321,29/10/2023 01:30:00', '+34600000001,+51987654321,29/10/2023 03:30:00', '',
    ].join('\n'));
    await importWith(path, { columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', datetime: 'DATETIME' }, dateFormat: 'DD/MM/YYYY HH:mm:ss', timeZone: 'Europe/Madrid' });
    expect((await eventsOf(store)).map((e) => e.at)).toEqual(['2023-03-26T00:59:59.000Z', '2023-03-26T01:00:00.000Z', '2023-10-28T23:30:00.000Z', '2023-10-29T02:30:00.000Z']);
  });

  it('refuses a record longer than the CSV limit, naming its line', async () => {
    const path = join(dir, 'synthetic-huge-record.csv');
    writeFileSync(path, `CALLING_NO;CALLED_NO;DATE;TIME;DURATION\n+51987654321;+60123456789;01/09/2023;10:00:00;1\n+51987654321;"${'x'.repeat(LIMITS.csvMaxRecordChars + 10)}";01/09/2023;10:00:00;1\n`);
    const err = await importWith(path, SEMI_DMY).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toMatch(/^synthetic-huge-record\.csv line 3: /);
    expect((await store.counts()).events).toBe(0);
  });

  it('fails a utf-8 mapping on bytes that are not UTF-8, naming the line', async () => {
    const path = join(dir, 'synthetic-latin.csv');
    writeFileSync(path, iconv.encode('CALLING_NO;CALLED_NO;DATE;TIME;DURATION;A_NAME\n+51987654321;+60123456789;01/09/2023;10:00:00;1;Ana\n+51987654321;+60123456789;01/09/2023;10:00:00;1;Pérez\n', 'latin1'));
    const err = await importWith(path, SEMI_DMY).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toMatch(/^synthetic-latin\.csv line 3: not valid UTF-8/);
    expect((await store.counts()).events).toBe(0);
  });

  it('rejects an invalid mapping as a bad request', async () => {
    const input = await inputOf(join(FIX, 'synthetic-semicolon-lima.csv'));
    for (const bad of [
      { ...LIMA_MAPPING, timeZone: 'Lima/Peru' },
      { ...LIMA_MAPPING, dateFormat: 'DD/MM/YYYY hh:mm' },
      { ...LIMA_MAPPING, columns: { aNumber: 'A_PARTY', bNumber: 'B_PARTY' } },
      { ...LIMA_MAPPING, header: false },
      { ...LIMA_MAPPING, delimiter: ':' },
      { ...LIMA_MAPPING, timeZone: undefined },
    ]) {
      await expect(parseCdr(input, ctx, bad as CdrMappingInput)).rejects.toMatchObject({ code: 'bad_request' });
    }
    expect(CdrMapping.safeParse(LIMA_MAPPING).success).toBe(true);
  });
});

describe('CDR values', () => {
  it.each([
    ['MO', 'voice-out'], ['moc', 'voice-out'], ['MT', 'voice-in'], ['MTC', 'voice-in'], ['SMS-MO', 'sms-out'], ['sms mt', 'sms-in'],
    ['SMS_MT', 'sms-in'], ['MO-SMS', 'sms-out'], ['VOICE', 'voice-out'], ['GPRS', 'data'], ['Entrante', 'voice-in'], ['CF', 'other'], ['??', undefined],
  ])('call type %s → %s', (raw, want) => {
    expect(callTypeClassifier()(raw)).toBe(want);
  });

  it('lets the mapping override call types', () => {
    const c = callTypeClassifier({ 'VOICE': 'voice-in', 7: 'sms-out' });
    expect([c('voice'), c('7'), c('MO')]).toEqual(['voice-in', 'sms-out', 'voice-out']);
  });

  it.each([
    ['12', 'seconds', false, 12], ['12,5', 'seconds', true, 12.5], ['12,5', 'seconds', false, null], ['12.5', 'seconds', false, 12.5],
    ['01:05', 'mm:ss', false, 65], ['75:00', 'mm:ss', false, 4500], ['1:61', 'mm:ss', false, null], ['1:02:03', 'hh:mm:ss', false, 3723],
    ['02:03', 'hh:mm:ss', false, null], ['-5', 'seconds', false, null], ['abc', 'seconds', false, null],
  ] as const)('duration %s as %s (decimal comma %s) → %s', (text, format, comma, want) => {
    expect(parseDuration(text, format, comma)).toBe(want);
  });
});
