// Bounds for untrusted files. Seized files are large, malformed and sometimes hostile: every importer
// checks these, and tests prove the refusals.
export const LIMITS = {
  /** zip archives (UFDR): entries, total uncompressed bytes, and the worst compression ratio accepted */
  zipMaxEntries: 200_000,
  zipMaxTotalBytes: 16 * 1024 ** 3,
  zipMaxRatio: 200,
  /** XML: nesting depth and the largest text node kept (longer bodies are truncated with a warning) */
  xmlMaxDepth: 256,
  maxTextChars: 64 * 1024,
  /** text formats read whole (vCard, XRY): larger files are refused */
  maxTextFileBytes: 256 * 1024 * 1024,
  /** CSV: longest record in characters */
  csvMaxRecordChars: 64 * 1024,
  /** records per chunk handed to the store */
  chunkRecords: 5_000,
} as const;
