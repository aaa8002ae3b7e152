// What every importer implements and receives. Importers are pure parsers: bytes in, Batch out.
import type { Batch, BatchChunk, SourceInfo } from '../model/index.ts';
import type { CdrMappingInput } from './cdr/cdr.mapping.ts';

export interface DeviceHint {
  /** 14–16 digits */
  imei?: string;
  /** the handset's own number, as written */
  msisdn?: string;
}

export interface ImportInput {
  /** file name as the user gave it (used in messages and as the source name) */
  name: string;
  /** path of the bytes on disk (uploads are spooled to a temp file while hashed) */
  path: string;
  sha256: string;
  size: number;
}

export interface ImportContext {
  /** case the import goes into; a report file may name its own when this is absent */
  case?: string;
  defaultCase: string;
  importedBy: string;
  /** default region for phone numbers written in national format */
  defaultRegion: string;
  /** install secret for keyed hashes of card numbers */
  secret: string;
  /**
   * What the investigator knows of the seized handset a file came from. Android and iOS databases carry
   * no IMEI (and often no own number): with it, a phone's calllog.db, contacts2.db and mmssms.db land on
   * one Device instead of one per file, and cross-device hits do not count the same handset twice.
   */
  device?: DeviceHint;
  /** explicit column mapping (CDR CSV), already resolved from a saved name; the importer validates it */
  mapping?: CdrMappingInput;
  /** called as records are produced: rows read so far and bytes of the file consumed (when known) */
  onProgress?: (p: { records: number; bytes?: number; total?: number }) => void;
}

export interface Importer {
  format: string;
  description: string;
  /** true when the head of the file (first 64 KiB) and its name look like this format */
  detect(head: Buffer, name: string): boolean;
  /**
   * The module that exports this importer, for formats whose files grow large: a worker thread parsing one
   * loads just that module instead of every importer (~20 MB less resident memory).
   */
  module?: string;
  /** Resolves once the source is known; chunks are produced lazily as the store pulls them (streaming). */
  parse(input: ImportInput, ctx: ImportContext): Promise<ParsedSource>;
}

export interface ParsedSource {
  source: SourceInfo;
  chunks: AsyncIterable<BatchChunk> | Iterable<BatchChunk>;
  /** Releases what parsing holds (a worker thread) when the chunks are not read to the end. */
  close?: () => Promise<void>;
}

/** A small source parsed in one go. */
export function whole(batch: Batch): ParsedSource {
  const { source, ...chunk } = batch;
  return { source, chunks: [chunk] };
}
