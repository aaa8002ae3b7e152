// Cellebrite UFDR importer: a `.ufdr` ZIP with report.xml at its root, or a bare report.xml. The XML is
// streamed (yauzl entry stream → hardened saxes reader → model trees → BatchBuilder), so memory holds
// one model at a time plus the builder's maps, whatever the size of the report.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { importError } from '../../errors.ts';
import { BatchBuilder, type BatchChunk } from '../../model/index.ts';
import { LIMITS } from '../shared/limits.ts';
import { isValidTimeZone } from '../shared/time.ts';
import { SafeXmlReader } from '../shared/xml.ts';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, readZipEntry, scanZip, type ZipLimits } from '../shared/zip.ts';
import type { ImportContext, Importer, ImportInput } from '../types.ts';
import { UfdrMapper } from './ufdr.mapper.ts';
import { UfdrReader } from './ufdr.reader.ts';

export const CELLEBRITE_NS = 'http://pa.cellebrite.com/report/2.0';

export interface UfdrOptions {
  /** IANA zone for timestamps without an offset (recorded on each event as `zoneAssumed`); default UTC */
  assumeZone?: string;
  /** archive bounds; defaults from LIMITS */
  zipLimits?: Partial<ZipLimits>;
  /** XML bounds (tests lower them) */
  xmlMaxDepth?: number;
  xmlMaxRunChars?: number;
}

/** Whether the start of a text file is a Cellebrite report (the `<project>` root in the report namespace). */
export function looksLikeReportXml(head: Buffer): boolean {
  let text: string;
  if (head[0] === 0xff && head[1] === 0xfe) text = head.subarray(2).toString('utf16le');
  else text = head.toString('utf8');
  return /<(?:\w+:)?project\b/.test(text) && text.includes(CELLEBRITE_NS);
}

export function createUfdrImporter(options: UfdrOptions = {}): Importer {
  const assumeZone = options.assumeZone ?? 'UTC';
  if (!isValidTimeZone(assumeZone)) throw new Error(`unknown time zone "${assumeZone}"`);
  const zipLimits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...options.zipLimits };

  return {
    format: 'ufdr',
    description: 'Cellebrite UFDR (.ufdr archive with report.xml, or a bare report.xml)',
    detect(head, name) {
      if (looksLikeZip(head)) return /\.ufdr$/i.test(name) || head.includes('report.xml') || head.includes('Report.xml');
      return looksLikeReportXml(head.subarray(0, 64 * 1024));
    },
    async parse(input, ctx) {
      const head = await readHead(input.path, 4096);
      const b = new BatchBuilder({ sha256: input.sha256, kind: 'ufdr', name: input.name, case: ctx.case ?? ctx.defaultCase, importedBy: ctx.importedBy });
      if (looksLikeZip(head)) {
        // validate the whole archive before anything is read from it
        const scan = await scanZip(input.path, input.name, (n) => /^report\.xml$/i.test(n), zipLimits);
        const report = scan.picked.find((e) => e.name === 'report.xml') ?? scan.picked.find((e) => e.name === 'Report.xml') ?? scan.picked[0];
        if (!report) throw importError(input.name, 'central directory', 'no report.xml at the root of the archive: not a Cellebrite UFDR');
        const bytes = readZipEntry(input.path, input.name, report.name, zipLimits);
        return { source: b.source, chunks: stream(b, bytes, input, ctx, { where: `entry ${report.name}`, total: report.uncompressedSize }) };
      }
      const text = head.toString(head[0] === 0xff && head[1] === 0xfe ? 'utf16le' : 'utf8').replace(/^\ufeff/, '').trimStart();
      if (!text.startsWith('<')) {
        throw importError(input.name, 'byte 0', 'neither a ZIP archive (.ufdr) nor a Cellebrite report.xml');
      }
      const bytes = createReadStream(input.path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;
      return { source: b.source, chunks: stream(b, bytes, input, ctx, { total: input.size }) };
    },
  };

  async function* stream(b: BatchBuilder, bytes: AsyncIterable<Buffer>, input: ImportInput, ctx: ImportContext, at: { where?: string; total?: number }): AsyncGenerator<BatchChunk> {
    const mapper = new UfdrMapper(b, input, ctx, { assumeZone });
    let xml: SafeXmlReader | null = null;
    const reader = new UfdrReader(mapper, (root) => {
      if (root !== 'project') throw xml!.error(`the root element is <${root}>, not the <project> of a Cellebrite report`);
    }, () => xml!.path());
    xml = new SafeXmlReader({ file: input.name, where: at.where, handlers: reader, maxDepth: options.xmlMaxDepth, maxRunChars: options.xmlMaxRunChars });
    for await (const buf of bytes) {
      xml.write(buf);
      if (b.pending >= LIMITS.chunkRecords) {
        ctx.onProgress?.({ records: mapper.records, bytes: xml.bytes, total: at.total });
        yield b.flush();
      }
    }
    xml.end();
    mapper.finish();
    if (xml.repaired > 0) {
      mapper.warn(`${xml.repaired} XML-illegal character(s) or character reference(s) replaced with U+FFFD (first: ${xml.firstRepair})`);
    }
    ctx.onProgress?.({ records: mapper.records, bytes: xml.bytes, total: at.total });
    yield b.flush();
  }
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The UFDR importer with default options (UTC for zone-less times, bounds from LIMITS). */
export const ufdrImporter: Importer = { ...createUfdrImporter(), module: import.meta.url };
