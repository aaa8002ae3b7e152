// The Cellebrite UFDR importer against the real embedded store: SYNTHETIC reports as a bare report.xml
// and as a .ufdr archive, the number written several ways, the same call seen by two seized phones.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ufdrImporter } from '../../backend/src/importers/ufdr/ufdr.importer.ts';
import type { ImportContext } from '../../backend/src/importers/types.ts';
import { makeId, makeLinkId, type Batch, type EventRecord } from '../../backend/src/model/index.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { useWorkspace } from './harness.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { writeSyntheticUfdr, writeSyntheticUfdrXml } from '../../seed/generators/ufdr.ts';
import { buildZip } from '../fixtures/ufdr/zip-writer.ts';

const FIX = join(import.meta.dirname, '../fixtures/ufdr');
const A_XML = join(FIX, 'synthetic-lima-phone-a.report.xml');
const B_XML = join(FIX, 'synthetic-lima-phone-b.report.xml');
const ctx: ImportContext = { defaultCase: 'test', importedBy: 'test', defaultRegion: 'PE', secret: 'x'.repeat(32) };

const phone = (e164: string) => makeId('Phone', `number=${e164}`);
const device = (imei: string) => makeId('Device', `imei=${imei}`);
const account = (handle: string) => makeId('Account', `handle=${handle}`);
const OWNER_A = phone('+51912345678');
const OWNER_B = phone('+51923456789');
const HANDLER = phone('+886912345678');
const KL_LANDLINE = phone('+60321611111');
const MAK = phone('+60123456789');

async function importFile(store: EmbeddedGraphStore, path: string, importer = ufdrImporter) {
  const input = { name: basename(path), path, sha256: await hashFile(path), size: statSync(path).size };
  const parsed = await importer.parse(input, ctx);
  return store.applyStream(parsed.source, parsed.chunks);
}

async function dumpAll(store: EmbeddedGraphStore): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of store.dump()) out.push(b);
  return out;
}

function eventAt(batches: Batch[], locator: string): EventRecord {
  const ev = batches.flatMap((b) => b.events).find((e) => e.locator === locator);
  if (!ev) throw new Error(`no event with locator ${locator}`);
  return ev;
}

describe('UFDR importer', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  useWorkspace('ufdr', (ws) => {
    dir = ws.dir;
    store = ws.store;
  });

  it('detects archives and bare reports from content', () => {
    const xml = readFileSync(A_XML);
    expect(ufdrImporter.detect(xml.subarray(0, 65536), 'anything.xml')).toBe(true);
    const zip = buildZip([{ name: 'report.xml', data: xml }]);
    expect(ufdrImporter.detect(zip.subarray(0, 65536), 'upload.bin')).toBe(true); // entry name in the head
    expect(ufdrImporter.detect(buildZip([{ name: 'files/a.jpg', data: 'x' }]), 'phone.ufdr')).toBe(true); // magic + name
    expect(ufdrImporter.detect(buildZip([{ name: 'files/a.jpg', data: 'x' }]), 'photos.zip')).toBe(false);
    expect(ufdrImporter.detect(Buffer.from('<?xml version="1.0"?><project name="x">'), 'report.xml')).toBe(false); // no Cellebrite namespace
    expect(ufdrImporter.detect(Buffer.from('not a zip at all'), 'phone.ufdr')).toBe(false);
  });

  const cases = [
    { file: 'synthetic-lima-phone-a.report.xml (bare XML)', make: () => A_XML },
    {
      file: 'synthetic-lima-phone-a.ufdr (ZIP archive)',
      make: (d: string) => {
        const p = join(d, 'synthetic-lima-phone-a.ufdr');
        writeFileSync(p, buildZip([
          { name: 'files/Image/SYNTHETIC.jpg', data: 'not really a jpeg', store: true },
          { name: 'Report.xml', data: readFileSync(A_XML) },
        ]));
        return p;
      },
    },
  ];

  it.each(cases)('parses $file', async ({ make }) => {
    const path = make(dir);
    const result = await importFile(store, path);
    expect(result.status).toBe('applied');
    const counts = await store.counts();
    expect(counts.events).toBe(14); // 8 calls, 3 SMS, 3 chat messages
    expect(counts.byType).toMatchObject({ Device: 1, Email: 1 });

    // device and owner line
    const dev = (await store.getEntity(device('356938035643809')))!;
    expect(dev.props).toMatchObject({ imei: '356938035643809', ownerName: 'SYNTHETIC Caller One', model: 'SM-A125M (SYNTHETIC)', manufacturer: 'Samsung' });
    expect(dev.sources[0]).toMatchObject({ sourceKind: 'ufdr', locator: 'metadata[@section="Device Info"]' });
    const uses = await store.neighbours([dev.id], { depth: 1, limit: 50, linkTypes: ['USES_PHONE'] });
    expect(uses.entities.map((e) => e.id)).toContain(OWNER_A);
    const [src] = await store.listSources();
    expect(src.title).toBe('SYNTHETIC Lima La Molina phone A');

    // contacts: saved names on the HAS_CONTACT link and as phone aliases
    const contacts = await store.neighbours([dev.id], { depth: 1, limit: 50, linkTypes: ['HAS_CONTACT'] });
    const contactLink = (to: string) => contacts.links.find((l) => l.id === makeLinkId('HAS_CONTACT', dev.id, to));
    expect(contactLink(HANDLER)?.props).toMatchObject({ name: 'Ah-Long 紅龍 (SYNTHETIC)', source: 'Phone' });
    expect(contactLink(KL_LANDLINE)?.props).toMatchObject({ name: 'Keluarga KL (SYNTHETIC)', source: 'WhatsApp' });
    expect(contactLink(phone('+51987000111'))?.props).toMatchObject({ name: 'Casa vieja (SYNTHETIC)', deleted: true });
    const mail = contacts.entities.find((e) => e.type === 'Email')!;
    expect(mail.props.address).toBe('red.dragon.synthetic@example.org');
    expect((await store.getEntity(HANDLER))!.props.aliases).toContain('Ah-Long 紅龍 (SYNTHETIC)');

    // the KL landline written three ways (+60 3-…, 0060…, WhatsApp JID) is one Phone with its WhatsApp account
    const kl = (await store.getEntity(KL_LANDLINE))!;
    expect(kl.props.number).toBe('+60321611111');
    const hits = (await store.search({ q: '21611111', types: ['Phone'], limit: 10 })).map((h) => h.id);
    expect(hits).toEqual([KL_LANDLINE]);
    const klAccounts = await store.neighbours([KL_LANDLINE], { depth: 1, limit: 10, linkTypes: ['USES_ACCOUNT'] });
    expect(klAccounts.entities.map((e) => e.id).filter((id) => id !== KL_LANDLINE)).toEqual([account('60321611111@s.whatsapp.net')]);

    // calls aggregate per ordered pair: count, total duration, first and last
    const out = await store.neighbours([OWNER_A], { depth: 1, limit: 50, linkTypes: ['CALLED'] });
    const toHandler = out.links.find((l) => l.id === makeLinkId('CALLED', OWNER_A, HANDLER))!;
    expect(toHandler).toMatchObject({ count: 2, durationS: 330, firstAt: '2023-08-01T10:00:00.000Z', lastAt: '2023-08-02T10:00:00.000Z' });
    const fromHandler = out.links.find((l) => l.id === makeLinkId('CALLED', HANDLER, OWNER_A))!;
    expect(fromHandler).toMatchObject({ count: 1, durationS: 45, firstAt: '2023-08-03T10:00:00.000Z' }); // -05:00 read correctly

    const all = await dumpAll(store);
    expect(eventAt(all, 'Call[@id="call-1"]')).toMatchObject({ from: OWNER_A, to: HANDLER, kind: 'call', durationS: 120, original: '2023-08-01T10:00:00.000+00:00', props: { direction: 'outgoing', status: 'answered', app: 'Phone' } });
    expect(eventAt(all, 'Call[@id="call-4"]')).toMatchObject({ from: KL_LANDLINE, to: OWNER_A, durationS: 0, at: '2023-08-04T12:00:00.000Z', props: { direction: 'incoming', status: 'missed', zoneAssumed: 'UTC' } });
    expect(eventAt(all, 'Call[@id="call-5"]')).toMatchObject({ from: OWNER_A, to: MAK, deleted: true });
    expect(eventAt(all, 'Call[@id="call-6"]')).toMatchObject({ from: MAK, to: OWNER_A, props: { app: 'WhatsApp', video: true } });
    const withheld = eventAt(all, 'Call[@id="call-8"]');
    expect((await store.getEntity(withheld.from))!.props).toMatchObject({ numberKind: 'withheld' });
    // the WhatsApp caller is its phone, linked to its account
    const mak = await store.neighbours([MAK], { depth: 1, limit: 10, linkTypes: ['USES_ACCOUNT'] });
    expect(mak.entities.map((e) => e.id)).toContain(account('60123456789@s.whatsapp.net'));

    // SMS: base64 body decoded, alphanumeric sender kept as its own identifier, illegal char reference repaired
    expect(eventAt(all, 'SMS[@id="sms-1"]')).toMatchObject({ kind: 'sms', from: MAK, to: OWNER_A, props: { direction: 'incoming', body: 'Mak, saya ok. Jangan risau [SYNTHETIC]' } });
    const alpha = eventAt(all, 'SMS[@id="sms-2"]');
    expect((await store.getEntity(alpha.from))!.props).toMatchObject({ number: 'alpha:MOVISTAR', numberKind: 'alpha' });
    expect(eventAt(all, 'SMS[@id="sms-3"]')).toMatchObject({ from: OWNER_A, to: HANDLER, props: { body: 'broken\ufffdchar [SYNTHETIC]' } });
    expect(result.warnings.some((w) => /XML-illegal/.test(w) && /line 194/.test(w))).toBe(true);
    expect(result.warnings.some((w) => /Location ×1/.test(w))).toBe(true);

    // WhatsApp chat: From/To parties, recipients from the participants, deleted flag, markup kept as text
    expect(eventAt(all, 'InstantMessage[@id="msg-1"]')).toMatchObject({ kind: 'chat', from: HANDLER, to: OWNER_A, props: { app: 'WhatsApp', body: '<script>alert(1)</script> quota for Penang today [SYNTHETIC]' } });
    expect(eventAt(all, 'InstantMessage[@id="msg-2"]')).toMatchObject({ from: OWNER_A, to: HANDLER, deleted: false });
    expect(eventAt(all, 'InstantMessage[@id="msg-3"]')).toMatchObject({ from: HANDLER, to: OWNER_A, deleted: true });
    const messaged = await store.neighbours([OWNER_A], { depth: 1, limit: 50, linkTypes: ['MESSAGED'] });
    expect(messaged.links.find((l) => l.id === makeLinkId('MESSAGED', HANDLER, OWNER_A))).toMatchObject({ count: 2 });
  });

  it('keeps markup in a contact name as literal text', async () => {
    await importFile(store, A_XML);
    const boss = (await store.getEntity(phone('+886988777666')))!;
    expect(boss.props.aliases).toContain('<b>Boss</b>');
    const dev = device('356938035643809');
    const view = await store.neighbours([dev], { depth: 1, limit: 50, linkTypes: ['HAS_CONTACT'] });
    expect(view.links.find((l) => l.to === boss.id)?.props.name).toBe('<b>Boss</b>');
  });

  it('merges the same call logged by two seized phones into one event with two provenances', async () => {
    await importFile(store, A_XML);
    const before = await store.counts();
    await importFile(store, B_XML);
    const after = await store.counts();
    expect(after.sources).toBe(2);
    expect(after.events).toBe(before.events + 1); // B logged 2 calls; one is A's call-7
    const all = await dumpAll(store);
    const [a, b] = all;
    const shared = makeLinkId('CALLED', OWNER_A, OWNER_B);
    const evA = a.events.filter((e) => e.linkId === shared);
    const evB = b.events.filter((e) => e.linkId === shared);
    expect(evA).toHaveLength(1);
    expect(evB).toHaveLength(1);
    expect(evA[0].id).toBe(evB[0].id);
    expect(evA[0].locator).toBe('Call[@id="call-7"]');
    expect(evB[0].locator).toBe('Call[@id="b-call-1"]');
    const view = await store.neighbours([OWNER_A], { depth: 1, limit: 50, linkTypes: ['CALLED'] });
    expect(view.links.find((l) => l.id === shared)).toMatchObject({ count: 1, durationS: 65, firstAt: '2023-09-10T15:30:00.000Z' });
    // phone A's line is asserted by both files
    const ownerA = (await store.getEntity(OWNER_A))!;
    expect(new Set(ownerA.sources.map((s) => s.sourceName))).toEqual(new Set(['synthetic-lima-phone-a.report.xml', 'synthetic-lima-phone-b.report.xml']));
  });

  it('reads a generated SYNTHETIC .ufdr and its bare report.xml identically', async () => {
    const zipPath = join(dir, 'synthetic-generated.ufdr');
    const xmlPath = join(dir, 'synthetic-generated.report.xml');
    const summary = await writeSyntheticUfdr(zipPath, { seed: 7, calls: 300, messages: 80 });
    const again = await writeSyntheticUfdrXml(xmlPath, { seed: 7, calls: 300, messages: 80 });
    expect(again).toEqual(summary);
    const r = await importFile(store, zipPath);
    expect(r.status).toBe('applied');
    const counts = await store.counts();
    // every generated record has its own second, so nothing dedupes: one event per call and message
    expect(counts.events).toBe(summary.calls + summary.sms + summary.chatMessages);
    expect(counts.byType.Phone).toBe(20); // the owner line and the 19 story numbers, however they are written
    expect((await store.getEntity(device(summary.imei)))!.props.imei).toBe(summary.imei);
    const other = new EmbeddedGraphStore({ file: join(dir, 'other.sqlite') });
    try {
      await importFile(other, xmlPath);
      expect(await other.counts()).toEqual({ ...counts });
    } finally {
      await other.close();
    }
  });

  it('generates the same bytes for the same seed, and a national number on a Malaysian-SIM phone merges', async () => {
    const p1 = join(dir, 'g1.report.xml');
    const p2 = join(dir, 'g2.report.xml');
    await writeSyntheticUfdrXml(p1, { seed: 3, calls: 50, messages: 10 });
    await writeSyntheticUfdrXml(p2, { seed: 3, calls: 50, messages: 10 });
    expect(await hashFile(p1)).toBe(await hashFile(p2));
    const text = readFileSync(p1, 'utf8');
    expect(text).toContain('SYNTHETIC');
    expect(text).not.toContain('03-2161 1111'); // ambiguous on a Peruvian phone: the generator does not write it

    const my = join(dir, 'my-sim.report.xml');
    await writeSyntheticUfdrXml(my, { seed: 4, calls: 60, messages: 0, contacts: 19, msisdn: '+60125550101' });
    expect(readFileSync(my, 'utf8')).toContain('03-2161 1111');
    await importFile(store, my);
    const hits = await store.search({ q: '21611111', types: ['Phone'], limit: 10 });
    expect(hits.map((h) => h.id)).toEqual([KL_LANDLINE]);
    expect((await store.getEntity(KL_LANDLINE))!.props.country).toBe('MY');
  });
});
