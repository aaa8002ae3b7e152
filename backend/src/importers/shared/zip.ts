// Reading untrusted ZIP archives (UFDR and friends) with yauzl: entry names are checked before use
// (zip-slip: `..` segments, absolute paths, backslashes, drive letters), the central directory is bounded
// (entry count, total size, per-entry compression ratio) and an entry is inflated as a stream that counts
// the bytes it really produces, so a bomb whose headers lie is stopped while inflating.
import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { AppError, importError } from '../../errors.ts';
import { LIMITS } from './limits.ts';

export interface ZipLimits {
  maxEntries: number;
  /** sum of the uncompressed sizes the central directory declares */
  maxTotalBytes: number;
  /** worst uncompressed:compressed ratio accepted for one entry */
  maxRatio: number;
  /** entries that inflate to less than this are not held to the ratio (tiny files compress absurdly well) */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: LIMITS.zipMaxEntries,
  maxTotalBytes: LIMITS.zipMaxTotalBytes,
  maxRatio: LIMITS.zipMaxRatio,
  ratioFloorBytes: 1024 * 1024,
};

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

export interface ZipScan {
  entryCount: number;
  totalUncompressed: number;
  /** the entries `pick` chose, in archive order */
  picked: ZipEntryInfo[];
}

/** Local file header (or the end record of an empty archive) at the start of the bytes. */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** Why an entry name is unsafe to use as a relative path, or null when it is fine. */
export function unsafeEntryReason(name: string): string | null {
  if (name.includes('\0')) return 'NUL character in the name';
  if (name.includes('\\')) return 'backslash in the name';
  if (/^[a-zA-Z]:/.test(name)) return 'drive letter (absolute path)';
  if (name.startsWith('/')) return 'absolute path';
  if (name.split('/').includes('..')) return '`..` segment (path traversal)';
  return null;
}

/** Printable form of an entry name for messages and positions. */
export function showEntryName(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function openZip(path: string, file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(importError(file, 'central directory', `not a readable ZIP archive (${err.message}); the file may be truncated or not a ZIP`));
      else resolve(zip);
    });
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => { cleanup(); resolve(e); };
    const onEnd = () => { cleanup(); resolve(null); };
    const onError = (err: Error) => { cleanup(); reject(err); };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function entryName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown as Buffer;
  // strict: keep backslashes so they can be refused rather than silently turned into separators
  return yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, raw, e.extraFields, true);
}

/** Walks the central directory, validating every entry, and yields each one with its decoded name. */
async function* walk(zip: yauzl.ZipFile, file: string, limits: ZipLimits): AsyncGenerator<{ entry: yauzl.Entry; info: ZipEntryInfo }> {
  if (zip.entryCount > limits.maxEntries) {
    throw importError(file, 'central directory', `the archive lists ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`);
  }
  let total = 0;
  let seen = 0;
  for (;;) {
    let entry: yauzl.Entry | null;
    try {
      entry = await nextEntry(zip);
    } catch (err) {
      throw importError(file, `central directory entry ${seen + 1}`, `corrupt archive: ${(err as Error).message}`);
    }
    if (!entry) return;
    seen++;
    if (seen > limits.maxEntries) throw importError(file, 'central directory', `the archive has more than ${limits.maxEntries} entries`);
    const name = entryName(entry);
    const where = `entry ${showEntryName(name)}`;
    const reason = unsafeEntryReason(name);
    if (reason) throw importError(file, where, `unsafe entry name: ${reason}`);
    const info: ZipEntryInfo = { name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, encrypted: entry.isEncrypted() };
    if (info.uncompressedSize > limits.ratioFloorBytes && info.uncompressedSize > info.compressedSize * limits.maxRatio) {
      const ratio = info.compressedSize > 0 ? Math.round(info.uncompressedSize / info.compressedSize) : Infinity;
      throw importError(file, where, `compression ratio ${ratio}:1 exceeds ${limits.maxRatio}:1 (zip bomb?)`);
    }
    total += info.uncompressedSize;
    if (total > limits.maxTotalBytes) throw importError(file, where, `the archive would inflate to more than ${limits.maxTotalBytes} bytes`);
    yield { entry, info };
  }
}

/** Validates the whole archive (names, count, sizes, ratios) and returns the entries `pick` chooses. */
export async function scanZip(path: string, file: string, pick: (name: string) => boolean = () => false, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipScan> {
  const zip = await openZip(path, file);
  try {
    const picked: ZipEntryInfo[] = [];
    let totalUncompressed = 0;
    let entryCount = 0;
    for await (const { info } of walk(zip, file, limits)) {
      entryCount++;
      totalUncompressed += info.uncompressedSize;
      if (pick(info.name)) picked.push(info);
    }
    return { entryCount, totalUncompressed, picked };
  } finally {
    zip.close();
  }
}

/**
 * Streams one entry's inflated bytes. The archive is validated again on the way (it may have changed on
 * disk); inflation stops as soon as the bytes produced exceed the ratio bound, whatever the headers say.
 */
export async function* readZipEntry(path: string, file: string, name: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): AsyncGenerator<Buffer> {
  const zip = await openZip(path, file);
  let stream: Readable | null = null;
  const where = `entry ${showEntryName(name)}`;
  try {
    let found: { entry: yauzl.Entry; info: ZipEntryInfo } | null = null;
    for await (const e of walk(zip, file, limits)) {
      if (e.info.name === name) {
        found = e;
        break;
      }
    }
    if (!found) throw importError(file, where, 'entry not found in the archive');
    if (found.info.encrypted) throw importError(file, where, 'the entry is encrypted');
    const { entry, info } = found;
    stream = await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (err, s) => (err ? reject(importError(file, where, `cannot read the entry: ${err.message}`)) : resolve(s)));
    });
    const bound = Math.max(info.compressedSize * limits.maxRatio, limits.ratioFloorBytes);
    let inflated = 0;
    try {
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        inflated += buf.length;
        if (inflated > bound) {
          throw importError(file, where, `inflated past ${bound} bytes from ${info.compressedSize} compressed (ratio over ${limits.maxRatio}:1): zip bomb?`);
        }
        if (inflated > limits.maxTotalBytes) throw importError(file, where, `inflated past ${limits.maxTotalBytes} bytes`);
        yield buf;
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = (err as Error).message;
      // yauzl counts the inflated bytes against the declared size and stops at the first byte over it
      if (/too many bytes/i.test(message)) {
        throw importError(file, `${where} at byte ${inflated}`, `the entry inflates past its declared size of ${info.uncompressedSize} bytes (zip bomb or corrupt archive)`);
      }
      throw importError(file, `${where} at byte ${inflated}`, `corrupt or truncated entry: ${message}`);
    }
  } finally {
    stream?.destroy();
    zip.close();
  }
}
