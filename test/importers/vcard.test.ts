// vCard address books (2.1 quoted-printable, 3.0, 4.0 tel: URIs, Apple groups) from the committed
// SYNTHETIC fixtures in test/fixtures/vcard, into the real embedded store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vcardImporter } from '../../backend/src/importers/vcard/vcard.importer.ts';
import { readVcards } from '../../backend/src/importers/vcard/vcard.parser.ts';
import { ctx, dumpCase, emailId, importInto, inputFor, phoneId, workspace, type Workspace } from './harness.ts';

const FIX = join(import.meta.dirname, '../fixtures/vcard');

interface Expected {
  /** [HAS_CONTACT target id, props the link must carry] */
  contacts: [string, Record<string, unknown>][];
}

const parses: { file: string; version: string; expected: Expected }[] = [
  {
    file: 'synthetic-v21-qp.vcf',
    version: '2.1 quoted-printable, UTF-8 and ISO-8859-1, soft line breaks, bare types',
    expected: {
      contacts: [
        [phoneId('+60321611111'), { name: 'Señora María Quispe (synthetic)', label: 'Mobile', note: 'SYNTHETIC DATA — invented for Casegraph tests, with a long line that goes on after a soft line break.' }],
        [phoneId('+51987650123'), { name: 'Señora María Quispe (synthetic)', label: 'Home' }],
        [phoneId('+886912000111'), { name: 'Inés Peña (synthetic)', label: 'Mobile' }],
      ],
    },
  },
  {
    file: 'synthetic-v30.vcf',
    version: '3.0 folding, escapes, TYPE lists',
    expected: {
      contacts: [
        [phoneId('+886933000222'), { name: 'Lim Wei, Ah (synthetic)', label: 'Mobile', organization: 'Red Dragon front company (synthetic); Lima', note: 'SYNTHETIC DATA\nsecond line' }],
        [phoneId('+60321611111'), { name: 'Lim Wei, Ah (synthetic)', label: 'Work' }],
        [emailId('handler.b@example.invalid'), { name: 'Lim Wei, Ah (synthetic)' }],
        [phoneId('+60321611112'), { name: 'Oficina KL (synthetic)', label: 'Fax' }],
      ],
    },
  },
  {
    file: 'synthetic-v40.vcf',
    version: '4.0 tel: URIs',
    expected: {
      contacts: [
        [phoneId('+60321611111'), { name: 'Target KL (synthetic)', label: 'Mobile' }],
        [phoneId('+60123456789'), { name: 'Target KL (synthetic)', label: 'Work' }],
        [emailId('target.kl@example.invalid'), { name: 'Target KL (synthetic)', label: 'Work' }],
      ],
    },
  },
  {
    file: 'synthetic-apple-groups.vcf',
    version: 'Apple item groups with X-ABLabel',
    expected: {
      contacts: [
        [phoneId('+886912000111'), { name: 'Handler A (synthetic)', label: 'Mobile' }],
        [phoneId('+51987650001'), { name: 'Handler A (synthetic)', label: 'Lima SIM' }],
        [emailId('handler.a@example.invalid'), { name: 'Handler A (synthetic)', label: 'Work' }],
      ],
    },
  },
];

describe('vCard importer', () => {
  let w: Workspace;
  beforeEach(() => {
    w = workspace('vcard');
  });
  afterEach(async () => {
    await w.cleanup();
  });

  it('detects BEGIN:VCARD at the head of the file, whatever the name', () => {
    expect(vcardImporter.detect(readFileSync(join(FIX, 'synthetic-v30.vcf')), 'export.txt')).toBe(true);
    expect(vcardImporter.detect(Buffer.from('\ufeff\r\nbegin:vcard\r\n'), 'x')).toBe(true);
    expect(vcardImporter.detect(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('BEGIN:VCARD\r\n', 'utf16le')]), 'x')).toBe(true);
    expect(vcardImporter.detect(Buffer.from('note: BEGIN:VCARD later in the text'), 'x.vcf')).toBe(false);
    expect(vcardImporter.detect(Buffer.from('SQLite format 3\0'), 'x.vcf')).toBe(false);
  });

  it.each(parses)('parses $file ($version)', async ({ file, expected }) => {
    const { result, source } = await importInto(w.store, vcardImporter, join(FIX, file));
    expect(source.kind).toBe('vcard');
    expect(result).toMatchObject({ status: 'applied', warnings: [] });
    const [batch] = await dumpCase(w.store);
    const book = batch.entities.find((e) => e.type === 'Device')!;
    expect(book.label).toBe(`Device Address book ${file}`);
    const contacts = batch.links.filter((l) => l.type === 'HAS_CONTACT');
    expect(contacts).toHaveLength(expected.contacts.length);
    for (const [to, props] of expected.contacts) {
      const link = contacts.find((l) => l.to === to);
      expect(link, `HAS_CONTACT to ${to}`).toBeDefined();
      expect(link!.from).toBe(book.id);
      expect(link!.props).toMatchObject(props);
      expect(link!.locators[0]).toMatch(/^line \d+$/);
    }
  });

  it('makes the saved name searchable on the number', async () => {
    await importInto(w.store, vcardImporter, join(FIX, 'synthetic-v21-qp.vcf'));
    const hits = await w.store.search({ q: 'Huamán', limit: 5 });
    expect(hits.map((h) => h.id)).toContain(phoneId('+60321611111'));
  });

  it('keeps markup in a contact name as literal text', async () => {
    await importInto(w.store, vcardImporter, join(FIX, 'synthetic-markup-name.vcf'));
    const [batch] = await dumpCase(w.store);
    const link = batch.links.find((l) => l.type === 'HAS_CONTACT')!;
    expect(link.props.name).toBe('<img src=x onerror=alert(1)> "Boss" & <b>Chen</b> (synthetic)');
    expect((await w.store.getEntity(phoneId('+886955000333')))!.props.aliases).toContain('<img src=x onerror=alert(1)> "Boss" & <b>Chen</b> (synthetic)');
  });

  it('skips what can be skipped with a warning per line: empty TEL, a line without a colon, a bad EMAIL, stray text, an unterminated card', async () => {
    const { result } = await importInto(w.store, vcardImporter, join(FIX, 'synthetic-skippable.vcf'));
    expect(result.status).toBe('applied');
    expect(result.warnings).toEqual([
      'synthetic-skippable.vcf line 6: not a vCard content line ("this line has no colon"); skipped',
      'synthetic-skippable.vcf line 4: TEL without a value; skipped',
      'synthetic-skippable.vcf line 7: EMAIL "not-an-address" is not an e-mail address; skipped',
      'synthetic-skippable.vcf line 9: text outside a BEGIN:VCARD … END:VCARD block; skipped',
      'synthetic-skippable.vcf line 10: card has no END:VCARD before the end of the file; read as far as it goes',
    ]);
    const [batch] = await dumpCase(w.store);
    const names = batch.links.filter((l) => l.type === 'HAS_CONTACT').map((l) => [l.to, l.props.name]);
    expect(names).toEqual([[phoneId('+60123456789'), 'Empty tel (synthetic)'], [phoneId('+886933000222'), 'Unterminated (synthetic)']]);
  });

  it.each([
    { file: 'synthetic-nested-begin.vcf', position: 'line 5', message: 'BEGIN:VCARD inside the card opened at line 1' },
    { file: 'synthetic-end-without-begin.vcf', position: 'line 6', message: 'END:VCARD without a BEGIN:VCARD' },
  ])('rejects $file at $position, writing nothing', async ({ file, position, message }) => {
    const input = await inputFor(join(FIX, file));
    const parsed = await vcardImporter.parse(input, ctx);
    const err = await w.store.applyStream(parsed.source, parsed.chunks).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toBe(`${file} ${position}: ${message}${message.startsWith('BEGIN') ? ' (nested cards are not supported)' : ''}`);
    expect(await w.store.counts()).toMatchObject({ entities: 0, links: 0, sources: 0 });
  });

  it('decodes a UTF-16 file with a BOM', () => {
    const text = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ñandú 陳 (synthetic)\r\nTEL:+51 987 650 001\r\nEND:VCARD\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const [card] = [...readVcards('x.vcf', bytes, () => {})];
    expect(card.props.find((p) => p.name === 'FN')!.raw).toBe('Ñandú 陳 (synthetic)');
  });
});
