// Hostile and broken UFDR input: every case must fail as import_failed naming the file and a position,
// and leave the store untouched (the streamed transaction rolls back).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUfdrImporter, ufdrImporter } from '../../backend/src/importers/ufdr/ufdr.importer.ts';
import type { Importer, ImportContext } from '../../backend/src/importers/types.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { useWorkspace } from './harness.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { prng } from '../../seed/generators/ufdr.ts';
import { buildZip, zeroBomb } from '../fixtures/ufdr/zip-writer.ts';

const A_XML = readFileSync(join(import.meta.dirname, '../fixtures/ufdr/synthetic-lima-phone-a.report.xml'));
const NS = 'http://pa.cellebrite.com/report/2.0';
const ctx: ImportContext = { defaultCase: 'test', importedBy: 'test', defaultRegion: 'PE', secret: 'x'.repeat(32) };

const report = (body: string) => `<?xml version="1.0" encoding="utf-8"?>\n<project name="SYNTHETIC hostile" xmlns="${NS}">${body}</project>\n`;

const LOL = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');

interface HostileCase {
  name: string;
  file: string;
  bytes: () => Uint8Array | string;
  importer?: Importer;
  /** the position the message must name */
  position: RegExp;
  message: RegExp;
}

const randomBytes = (n: number, seed: number) => {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
};
const validZip = () => buildZip([{ name: 'report.xml', data: A_XML }, { name: 'files/Text/SYNTHETIC.txt', data: 'synthetic' }]);

const cases: HostileCase[] = [
  {
    name: 'DOCTYPE with an external entity (XXE)',
    file: 'xxe.report.xml',
    bytes: () => `<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<project xmlns="${NS}"><decodedData>&xxe;</decodedData></project>`,
    position: /line \d+/,
    message: /DOCTYPE\/ENTITY declarations are refused/,
  },
  {
    name: 'billion laughs',
    file: 'laughs.report.xml',
    bytes: () => `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${LOL}\n]>\n<project xmlns="${NS}"><x>&lol9;</x></project>`,
    position: /line \d+/,
    message: /DOCTYPE/,
  },
  {
    name: 'DOCTYPE straddling a 64 KiB read boundary',
    file: 'straddle.report.xml',
    bytes: () => {
      const head = '<?xml version="1.0"?>\n<!-- ';
      const pad = 'x'.repeat(65_536 - 4 - head.length - ' -->\n'.length);
      return `${head}${pad} -->\n<!DOCTYPE project SYSTEM "http://127.0.0.1/x.dtd">\n<project xmlns="${NS}"/>`;
    },
    position: /line \d+/,
    message: /DOCTYPE\/ENTITY declarations are refused/,
  },
  {
    name: 'DOCTYPE after a comment that looks like markup (caught by the parser)',
    file: 'late-doctype.report.xml',
    bytes: () => `<?xml version="1.0"?>\n<!-- <b>bold</b> -->\n<!DOCTYPE project SYSTEM "http://127.0.0.1/x.dtd">\n<project xmlns="${NS}"/>`,
    position: /line 3/,
    message: /DOCTYPE declarations are refused/,
  },
  {
    name: 'zip entry ../evil (path traversal)',
    file: 'slip.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', data: report('') }, { name: '../evil', data: 'pwned' }]),
    position: /entry \.\.\/evil/,
    message: /unsafe entry name: `\.\.` segment/,
  },
  {
    name: 'zip entry with an absolute path',
    file: 'abs.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', data: report('') }, { name: '/etc/x', data: 'pwned' }]),
    position: /entry \/etc\/x/,
    message: /absolute path/,
  },
  {
    name: 'zip entry with backslashes',
    file: 'backslash.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', data: report('') }, { name: 'files\\..\\..\\evil.txt', data: 'pwned' }]),
    position: /entry files\\\.\.\\/,
    message: /backslash/,
  },
  {
    name: 'zip entry with a drive letter',
    file: 'drive.ufdr',
    bytes: () => buildZip([{ name: 'C:/Windows/evil.txt', data: 'pwned' }, { name: 'report.xml', data: report('') }]),
    position: /entry C:\/Windows\/evil\.txt/,
    message: /drive letter/,
  },
  {
    name: 'zip bomb: 300 MiB of zeros behind honest headers',
    file: 'bomb.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', raw: zeroBomb(300) }]),
    position: /entry report\.xml/,
    message: /compression ratio \d+:1 exceeds 200:1/,
  },
  {
    name: 'zip bomb: 300 MiB of zeros whose headers claim 300 KiB',
    file: 'lying-bomb.ufdr',
    bytes: () => {
      const raw = zeroBomb(300, `<?xml version="1.0"?><project xmlns="${NS}"><decodedData>`);
      return buildZip([{ name: 'report.xml', raw, claimSize: raw.compressed.length }]);
    },
    position: /entry report\.xml at byte \d+/,
    message: /inflates past its declared size/,
  },
  {
    name: 'too many entries',
    file: 'many.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', data: report('') }, ...Array.from({ length: 12 }, (_, i) => ({ name: `files/${i}.txt`, data: 'x' }))]),
    importer: createUfdrImporter({ zipLimits: { maxEntries: 10 } }),
    position: /central directory/,
    message: /13 entries; at most 10/,
  },
  {
    name: 'truncated zip (cut in half)',
    file: 'truncated.ufdr',
    bytes: () => {
      const z = validZip();
      return z.subarray(0, Math.floor(z.length / 2));
    },
    position: /central directory/,
    message: /not a readable ZIP archive/,
  },
  {
    name: 'zip without report.xml',
    file: 'photos.ufdr',
    bytes: () => buildZip([{ name: 'files/Image/SYNTHETIC.jpg', data: 'x' }]),
    position: /central directory/,
    message: /no report\.xml/,
  },
  {
    name: 'truncated XML (cut mid-element)',
    file: 'cut.report.xml',
    bytes: () => A_XML.subarray(0, A_XML.indexOf('<field name="Duration"', A_XML.indexOf('id="call-5"')) + 30),
    position: /\/project\/decodedData\[1\]\/modelType\[2\]\/model\[5\]/,
    message: /unclosed tag|unexpected end/i,
  },
  {
    name: 'truncated XML inside a .ufdr',
    file: 'cut-inside.ufdr',
    bytes: () => buildZip([{ name: 'report.xml', data: A_XML.subarray(0, Math.floor(A_XML.length * 0.6)) }]),
    position: /entry report\.xml \/project/,
    message: /unclosed|unexpected end/i,
  },
  {
    name: 'not a zip, named .ufdr',
    file: 'random.ufdr',
    bytes: () => randomBytes(4096, 9).map((b, i) => (i === 0 ? 0x13 : b)),
    position: /byte 0/,
    message: /neither a ZIP archive/,
  },
  {
    name: 'XML that is not a Cellebrite report',
    file: 'other.xml',
    bytes: () => '<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
    position: /\/rss \(line 1/,
    message: /not the <project> of a Cellebrite report/,
  },
  {
    name: 'elements nested deeper than the limit',
    file: 'deep.report.xml',
    bytes: () => report(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`),
    position: /\/project\/a\[1\]\/a\[1\]/,
    message: /nested deeper than 256/,
  },
  {
    name: 'a text node longer than the bound',
    file: 'long-text.report.xml',
    bytes: () => report(`<decodedData>${'A'.repeat(300_000)}</decodedData>`),
    importer: createUfdrImporter({ xmlMaxRunChars: 100_000 }),
    position: /\/project\/decodedData\[1\]/,
    message: /more than 100000 characters without markup/,
  },
  {
    name: 'an undefined entity reference',
    file: 'entity.report.xml',
    bytes: () => report('<decodedData>&nbsp;</decodedData>'),
    position: /\/project\/decodedData\[1\] \(line 2/,
    message: /undefined entity/i,
  },
];

describe('UFDR importer refuses hostile and broken files', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  useWorkspace('ufdr-hostile', (ws) => {
    dir = ws.dir;
    store = ws.store;
  });

  it.each(cases)('$name → import_failed', async ({ file, bytes, importer, position, message }) => {
    const path = join(dir, file);
    writeFileSync(path, bytes());
    const input = { name: file, path, sha256: await hashFile(path), size: statSync(path).size };
    const started = Date.now();
    const err = await (async () => {
      const parsed = await (importer ?? ufdrImporter).parse(input, ctx);
      await store.applyStream(parsed.source, parsed.chunks);
    })().then(() => null, (e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000); // bombs are stopped early, not inflated
    expect(err).toMatchObject({ code: 'import_failed' });
    const msg = (err as Error).message;
    expect(msg.startsWith(`${file} `)).toBe(true);
    expect(msg).toMatch(position);
    expect(msg).toMatch(message);
    expect((err as { details: { file: string; position: string } }).details).toMatchObject({ file });
    expect(await store.counts()).toMatchObject({ entities: 0, links: 0, events: 0, sources: 0 });
  });

  it('stops a bomb inside a valid archive without reading the other entries', async () => {
    const path = join(dir, 'nested-bomb.ufdr');
    writeFileSync(path, buildZip([{ name: 'report.xml', data: A_XML }, { name: 'files/zeros.bin', raw: zeroBomb(64) }]));
    const input = { name: 'nested-bomb.ufdr', path, sha256: await hashFile(path), size: statSync(path).size };
    await expect(ufdrImporter.parse(input, ctx)).rejects.toMatchObject({ code: 'import_failed', message: expect.stringMatching(/entry files\/zeros\.bin: compression ratio/) });
  });

  it('tolerates XML-illegal characters and character references, with a warning', async () => {
    const path = join(dir, 'illegal-chars.report.xml');
    const body = '<metadata section="Device Info"><item name="MSISDN">+51 912 345 678</item></metadata><decodedData><modelType type="SMS">'
      + '<model type="SMS" id="s1"><field name="TimeStamp"><value>2023-08-09T13:00:00Z</value></field>'
      + '<field name="Body"><value>a&#x1;b&#0;c\u0002d &#xFFFE;</value></field>'
      + '<multiModelField name="Parties"><model type="Party"><field name="Identifier"><value>+886 912 345 678</value></field><field name="Role"><value>From</value></field></model></multiModelField>'
      + '</model></modelType></decodedData>';
    writeFileSync(path, report(body));
    const input = { name: 'illegal-chars.report.xml', path, sha256: await hashFile(path), size: statSync(path).size };
    const parsed = await ufdrImporter.parse(input, ctx);
    const r = await store.applyStream(parsed.source, parsed.chunks);
    expect(r.warnings.join('\n')).toMatch(/4 XML-illegal character\(s\)/);
    const batches = [];
    for await (const b of store.dump()) batches.push(b);
    expect(batches[0].events[0].props.body).toBe('a\ufffdb\ufffdc\ufffdd \ufffd');
  });
});
