// The XRY text-export importer against the real embedded store: SYNTHETIC call, message and contact
// reports (encoded to UTF-16LE at test time), locale-dependent times, and files in the wrong encoding.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../backend/src/importers/shared/limits.ts';
import type { Importer, ImportContext } from '../../backend/src/importers/types.ts';
import { createXryImporter, xryImporter } from '../../backend/src/importers/xry/xry.importer.ts';
import { makeId, makeLinkId, type Batch, type EventRecord } from '../../backend/src/model/index.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { useWorkspace } from './harness.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { prng } from '../../seed/generators/ufdr.ts';

const FIX = join(import.meta.dirname, '../fixtures/xry');
const ctx: ImportContext = { defaultCase: 'test', importedBy: 'test', defaultRegion: 'PE', secret: 'x'.repeat(32) };
const phone = (e164: string) => makeId('Phone', `number=${e164}`);
const DEVICE_C = makeId('Device', 'imei=352118765432103');
const OWNER_C = phone('+51934567890');
const HANDLER = phone('+886912345678');
const MAK = phone('+60123456789');
const KL = phone('+60321611111');

const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
/** as XRY writes it: byte-order mark FF FE, UTF-16LE, CRLF */
const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf16le')]);

describe('XRY importer', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  useWorkspace('xry', (ws) => {
    dir = ws.dir;
    store = ws.store;
  });

  async function importBytes(name: string, bytes: Uint8Array, importer: Importer = xryImporter, size?: number) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const input = { name, path, sha256: await hashFile(path), size: size ?? statSync(path).size };
    const parsed = await importer.parse(input, ctx);
    return store.applyStream(parsed.source, parsed.chunks);
  }

  async function events(): Promise<EventRecord[]> {
    const out: Batch[] = [];
    for await (const b of store.dump()) out.push(b);
    return out.flatMap((b) => b.events);
  }
  const at = (evs: EventRecord[], locator: RegExp) => {
    const e = evs.find((x) => locator.test(x.locator));
    if (!e) throw new Error(`no event at ${locator}`);
    return e;
  };

  it('detects UTF-16LE exports by their byte-order mark and header', () => {
    expect(xryImporter.detect(utf16(fixture('synthetic-calls-mdy.xry.txt')), 'calls.txt')).toBe(true);
    expect(xryImporter.detect(Buffer.from(fixture('synthetic-calls-mdy.xry.txt'), 'utf8'), 'calls.txt')).toBe(false);
    expect(xryImporter.detect(utf16('just some text\r\n'), 'notes.txt')).toBe(false);
  });

  const cases = [
    {
      file: 'synthetic-calls-mdy.xry.txt',
      check: async () => {
        const c = await store.counts();
        expect(c.events).toBe(5);
        const dev = (await store.getEntity(DEVICE_C))!;
        expect(dev.props).toMatchObject({ imei: '352118765432103', reportType: 'Calls-Calls' });
        const evs = await events();
        expect(at(evs, /^Calls #1 /)).toMatchObject({
          from: OWNER_C, to: HANDLER, kind: 'call', at: '2023-08-01T10:00:00.000Z', durationS: 120, original: '8/1/2023 10:00:00 AM (Device)',
          props: { direction: 'outgoing', status: 'answered', dateOrder: 'M/D/Y', dateOrderAssumed: true, timeSource: 'Device', zoneAssumed: 'UTC' },
        });
        expect(at(evs, /^Calls #2 /)).toMatchObject({ from: KL, to: OWNER_C, at: '2023-08-02T15:15:30.000Z', durationS: 45, props: { direction: 'incoming', status: 'answered', timeSource: 'Network' } });
        const missed = at(evs, /^Calls #3 /);
        expect(missed).toMatchObject({ from: MAK, to: OWNER_C, at: '2023-08-04T04:59:59.000Z', props: { status: 'missed' } });
        expect(missed.props.zoneAssumed).toBeUndefined(); // the text carried UTC-5
        const withheld = at(evs, /^Calls #4 /);
        expect((await store.getEntity(withheld.from))!.props.numberKind).toBe('withheld');
        expect(at(evs, /^Calls #5 /)).toMatchObject({ from: OWNER_C, to: HANDLER, deleted: true });
        const view = await store.neighbours([OWNER_C], { depth: 1, limit: 20, linkTypes: ['CALLED'] });
        expect(view.links.find((l) => l.id === makeLinkId('CALLED', OWNER_C, HANDLER))).toMatchObject({ count: 2, durationS: 720 });
        expect((await store.getEntity(HANDLER))!.props.aliases).toContain('Ah-Long (SYNTHETIC)');
        expect((await store.getEntity(OWNER_C))!.sources[0].locator).toBe('header');
      },
    },
    {
      file: 'synthetic-calls-dmy.xry.txt',
      check: async () => {
        const evs = await events();
        expect(evs).toHaveLength(2);
        const pe = phone('+51987654321');
        // day 13 decides the order for the whole file: 02/09 is 2 September, not 9 February
        expect(at(evs, /^Calls #1 /)).toMatchObject({ to: pe, at: '2023-08-13T14:05:00.000Z', props: { dateOrder: 'D/M/Y' } });
        expect(at(evs, /^Calls #1 /).props.dateOrderAssumed).toBeUndefined();
        expect(at(evs, /^Calls #2 /)).toMatchObject({ from: pe, at: '2023-09-02T09:00:00.000Z' });
        // no MSISDN in the export: the owner line is a placeholder unique to this device
        const owner = (await store.getEntity(at(evs, /^Calls #1 /).from))!;
        expect(owner.props.numberKind).toBe('owner-unknown');
      },
    },
    {
      file: 'synthetic-messages.xry.txt',
      check: async () => {
        const evs = await events();
        expect(evs).toHaveLength(3); // the two segments of reference 77 are one message
        expect(at(evs, /^Messages #1 /)).toMatchObject({ kind: 'sms', from: MAK, to: OWNER_C, props: { direction: 'incoming', body: 'Mak, saya ok.\nJangan risau [SYNTHETIC]', status: 'read' } });
        expect(at(evs, /^Messages #2 /)).toMatchObject({ from: OWNER_C, to: HANDLER, props: { body: 'Quota for Penang: 40 calls, <b>done</b> [SYNTHETIC]' } });
        const alpha = at(evs, /^Messages #4 /);
        expect(alpha).toMatchObject({ to: OWNER_C, deleted: true });
        expect((await store.getEntity(alpha.from))!.props.number).toBe('alpha:MOVISTAR');
      },
    },
    {
      file: 'synthetic-contacts.xry.txt',
      check: async () => {
        const view = await store.neighbours([DEVICE_C], { depth: 1, limit: 20, linkTypes: ['HAS_CONTACT'] });
        const link = (to: string) => view.links.find((l) => l.id === makeLinkId('HAS_CONTACT', DEVICE_C, to));
        expect(link(HANDLER)?.props).toMatchObject({ name: 'Ah-Long 紅龍 (SYNTHETIC)' });
        expect(link(phone('+886988777666'))?.props.name).toBe('<b>Boss</b>'); // markup kept as text
        expect(link(KL)?.props).toMatchObject({ name: 'Keluarga KL (SYNTHETIC)', source: 'WhatsApp', deleted: true });
        expect(view.entities.find((e) => e.type === 'Email')?.props.address).toBe('red.dragon.synthetic@example.org');
        expect((await store.counts()).byType.Phone).toBe(4); // owner, handler (two forms), boss, KL (two forms)
      },
    },
  ];

  it.each(cases)('parses $file', async ({ file, check }) => {
    const r = await importBytes(file.replace('.txt', '.utf16.txt'), utf16(fixture(file)));
    expect(r.status).toBe('applied');
    await check();
  });

  it('links calls, messages and contacts of one phone to one device', async () => {
    for (const f of ['synthetic-calls-mdy.xry.txt', 'synthetic-messages.xry.txt', 'synthetic-contacts.xry.txt']) await importBytes(f, utf16(fixture(f)));
    const c = await store.counts();
    expect(c.byType.Device).toBe(1);
    expect(c.sources).toBe(3);
    expect(new Set((await store.getEntity(DEVICE_C))!.sources.map((s) => s.sourceName)).size).toBe(3);
  });

  it('reads month-first files as told, and day-first ones when told', async () => {
    const dmy = createXryImporter({ dateOrder: 'DMY', assumeZone: 'America/Lima' });
    await importBytes('mdy-as-dmy.txt', utf16(fixture('synthetic-calls-mdy.xry.txt')), dmy);
    const evs = await events();
    // 8/1/2023 read day-first is 8 January, in Lima (UTC-5)
    expect(at(evs, /^Calls #1 /)).toMatchObject({ at: '2023-01-08T15:00:00.000Z', props: { dateOrder: 'D/M/Y', zoneAssumed: 'America/Lima' } });
  });

  const calls = fixture('synthetic-calls-mdy.xry.txt');
  const hostile: { name: string; file: string; bytes: () => Uint8Array; importer?: Importer; size?: number; position: RegExp; message: RegExp }[] = [
    { name: 'the same text saved as UTF-8', file: 'utf8.txt', bytes: () => Buffer.from(calls, 'utf8'), position: /byte 0/, message: /no byte-order mark FF FE/ },
    { name: 'UTF-8 with its byte-order mark', file: 'utf8-bom.txt', bytes: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(calls)]), position: /byte 0/, message: /UTF-8 text/ },
    { name: 'UTF-16 big-endian', file: 'utf16be.txt', bytes: () => Buffer.from(utf16(calls).swap16()), position: /byte 0/, message: /no byte-order mark FF FE/ },
    {
      name: 'random binary behind an FF FE mark',
      file: 'binary.txt',
      bytes: () => {
        const r = prng(5);
        return Uint8Array.from({ length: 8192 }, (_, i) => (i === 0 ? 0xff : i === 1 ? 0xfe : Math.floor(r() * 256)));
      },
      position: /^binary\.txt/,
      message: /binary data|unpaired surrogates|not an XRY text export/,
    },
    { name: 'an odd number of bytes', file: 'odd.txt', bytes: () => Buffer.concat([utf16(calls), Buffer.from([0x41])]), position: /byte \d+/, message: /odd number of bytes/ },
    { name: 'UTF-16 text that is not an XRY export', file: 'letter.txt', bytes: () => utf16('Dear Sir,\nplease find attached.\n'), position: /line 1/, message: /not an XRY text export/ },
    { name: 'a Time that is not a date', file: 'bad-time.txt', bytes: () => utf16(calls.replace('8/2/2023 3:15:30 PM (Network)', 'yesterday afternoon')), position: /line 17/, message: /Time "yesterday afternoon"/ },
    { name: 'an impossible date', file: 'feb30.txt', bytes: () => utf16(calls.replace('8/2/2023', '2/30/2023')), position: /line 17/, message: /not a valid M\/D\/Y date/ },
    {
      name: 'times written both day-first and month-first',
      file: 'mixed.txt',
      bytes: () => utf16(calls.replace('8/1/2023 10:00:00 AM', '8/13/2023 10:00:00 AM').replace('8/2/2023', '14/8/2023')),
      position: /line 17/,
      message: /both day-first .* and month-first/,
    },
    {
      name: 'a day-first file read as month-first when told so',
      file: 'dmy-as-mdy.txt',
      bytes: () => utf16(fixture('synthetic-calls-dmy.xry.txt')),
      importer: createXryImporter({ dateOrder: 'MDY' }),
      position: /line 9/,
      message: /cannot be read as M\/D\/Y/,
    },
    { name: 'a file over the size bound', file: 'huge.txt', bytes: () => utf16(calls), size: LIMITS.maxTextFileBytes + 1, position: /^huge\.txt/, message: /limited to 256 MiB/ },
  ];

  it.each(hostile)('refuses $name (import_failed, nothing written)', async ({ file, bytes, importer, size, position, message }) => {
    const err = await importBytes(file, bytes(), importer, size).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    const msg = (err as Error).message;
    expect(msg.startsWith(file)).toBe(true);
    expect(msg).toMatch(position);
    expect(msg).toMatch(message);
    expect(await store.counts()).toMatchObject({ entities: 0, links: 0, events: 0, sources: 0 });
  });
});
