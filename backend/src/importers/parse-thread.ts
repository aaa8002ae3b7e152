// Parsing a large file on a worker thread. The importer (a pure parser) runs there and hands its chunks over
// by message; the store writes them on the main thread, which owns the one writer connection. Parsing and
// writing then proceed side by side on two cores, and the server's event loop stays free for readers while
// a big extraction is read.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import type { BatchChunk, SourceInfo } from '../model/index.ts';
import type { ImportContext, ImportInput, Importer, ParsedSource } from './types.ts';

/**
 * The worker's young generation. A parser allocates fast and keeps little: V8's default (3 × 16 MiB) only
 * adds resident memory; 4 MiB cut a 1M-row CDR import's peak by ~35 MiB at the same speed.
 */
const WORKER_YOUNG_MB = 4;
/** Chunks the worker may have sent ahead of the store: enough to keep both threads busy, few enough to bound memory. */
const AHEAD = 2;

type ToMain =
  | { t: 'source'; source: SourceInfo }
  | { t: 'chunk'; chunk: BatchChunk }
  | { t: 'progress'; records: number; bytes?: number; total?: number }
  | { t: 'end'; source: SourceInfo }
  | { t: 'error'; code?: string; message: string; details?: unknown };
type ToWorker = { t: 'more' };

interface Job {
  format: string;
  module?: string;
  input: ImportInput;
  ctx: Omit<ImportContext, 'onProgress'>;
}

/**
 * The importer's parse, run on a worker thread. Same contract as `importer.parse`: resolves once the source
 * is known; chunks arrive as the consumer pulls them; an error in the worker (a bad row, a refused file)
 * surfaces as the same AppError, from the source promise or from the chunk iterator. Stopping the iteration
 * early (the store failed) ends the worker.
 */
export function parseOnThread(importer: Importer, input: ImportInput, ctx: ImportContext): Promise<ParsedSource> {
  const { onProgress, ...plain } = ctx;
  const job: Job = { format: importer.format, ...(importer.module ? { module: importer.module } : {}), input, ctx: plain };
  const worker = new Worker(new URL('./parse-thread-entry.mjs', import.meta.url), { workerData: { casegraphParse: job }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  const queue: BatchChunk[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let source: SourceInfo | undefined;
  let settleSource!: { resolve: (s: SourceInfo) => void; reject: (e: Error) => void };
  const sourcePromise = new Promise<SourceInfo>((resolve, reject) => (settleSource = { resolve, reject }));
  const fail = (err: Error) => {
    if (failure || ended) return;
    failure = err;
    settleSource.reject(err);
    notify();
    void worker.terminate();
  };
  worker.on('message', (m: ToMain) => {
    if (m.t === 'source') settleSource.resolve((source = m.source));
    else if (m.t === 'chunk') queue.push(m.chunk);
    else if (m.t === 'progress') onProgress?.({ records: m.records, ...(m.bytes !== undefined ? { bytes: m.bytes } : {}), ...(m.total !== undefined ? { total: m.total } : {}) });
    else if (m.t === 'end') {
      // an importer may learn more about its source as it reads (a UFDR's device title): the store
      // records the source after the last chunk, so the final version is in time
      if (source) Object.assign(source, m.source);
      ended = true;
      void worker.terminate();
    } else if (m.t === 'error') {
      fail(m.code && m.code in ERROR_CODES ? new AppError(m.code as ErrorCode, m.message, m.details) : new AppError('import_failed', `${input.name}: ${m.message}`));
    }
    notify();
  });
  worker.on('error', (err) => fail(new AppError('import_failed', `${input.name}: the parser stopped: ${err.message}`)));
  worker.on('exit', () => {
    if (!ended) fail(new AppError('import_failed', `${input.name}: the parser stopped before the end of the file`));
  });

  const close = async () => {
    if (ended) return;
    ended = true;
    await worker.terminate();
  };
  async function* chunks(): AsyncGenerator<BatchChunk> {
    try {
      for (;;) {
        if (failure) throw failure;
        if (queue.length) {
          const chunk = queue.shift()!;
          worker.postMessage({ t: 'more' } satisfies ToWorker);
          yield chunk;
          continue;
        }
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      await close();
    }
  }
  return sourcePromise.then((s) => ({ source: s, chunks: chunks(), close }));
}

/** The worker side: parse, send the source, then chunks as the main thread grants room. */
async function runWorker(job: Job): Promise<void> {
  const port = parentPort!;
  let credit = AHEAD;
  let grant: (() => void) | null = null;
  port.on('message', (m: ToWorker) => {
    if (m.t !== 'more') return;
    credit++;
    const g = grant;
    grant = null;
    g?.();
  });
  try {
    // only the importer's own module, when it names one (the registry loads every format's dependencies)
    const importer = job.module
      ? exportedImporter(await import(job.module), job.format)
      : (await import('./registry.ts')).findImporter(Buffer.alloc(0), job.input.name, job.format);
    const ctx: ImportContext = { ...job.ctx, onProgress: (p) => port.postMessage({ t: 'progress', ...p } satisfies ToMain) };
    const parsed = await importer.parse(job.input, ctx);
    port.postMessage({ t: 'source', source: parsed.source } satisfies ToMain);
    for await (const chunk of parsed.chunks) {
      while (credit <= 0) await new Promise<void>((r) => (grant = r));
      credit--;
      port.postMessage({ t: 'chunk', chunk } satisfies ToMain);
    }
    port.postMessage({ t: 'end', source: parsed.source } satisfies ToMain);
  } catch (err) {
    const e = err as Error & { code?: string; details?: unknown };
    port.postMessage({ t: 'error', message: e?.message ?? String(err), ...(err instanceof AppError ? { code: err.code, details: err.details } : {}) } satisfies ToMain);
  }
  port.close();
}

/** The importer of this format among a module's exports. */
function exportedImporter(exports: Record<string, unknown>, format: string): Importer {
  const found = Object.values(exports).find((v): v is Importer => typeof v === 'object' && v !== null && (v as Importer).format === format && typeof (v as Importer).parse === 'function');
  if (!found) throw new AppError('internal', `no importer of format ${format} in its module`);
  return found;
}

if (!isMainThread && (workerData as { casegraphParse?: Job } | null)?.casegraphParse) {
  void runWorker((workerData as { casegraphParse: Job }).casegraphParse);
}
