// Where writers put their output: a buffered writer over any node Writable (an HTTP response, a file)
// that hashes every byte on the way (SHA-256 of exactly what was sent), honours backpressure, and
// fails fast when the other side goes away. Writers never build the whole file in memory.
import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppError } from '../errors.ts';

const FLUSH_AT = 256 * 1024;

export interface SinkResult {
  bytes: number;
  sha256: string;
}

export class Sink {
  private buf = '';
  private readonly hash: Hash = createHash('sha256');
  private bytesOut = 0;
  private waiting = false;
  private broken: Error | null = null;

  constructor(private readonly out: Writable) {
    const fail = (err?: Error) => {
      if (!this.broken && !out.writableFinished) this.broken = err ?? new AppError('bad_request', 'the receiver closed the connection before the export finished');
    };
    out.on('error', fail);
    out.on('close', () => fail());
  }

  /** bytes handed to the writable so far */
  get bytes(): number {
    return this.bytesOut;
  }

  /** Appends text; call `ready()` between records so a slow receiver throttles the writer. */
  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  /** Appends bytes (already encoded, e.g. zip output). */
  writeBytes(b: Uint8Array): void {
    this.flush();
    this.push(b);
  }

  /** Resolves when the receiver can take more (immediately unless its buffer is full). */
  async ready(): Promise<void> {
    if (this.broken) throw this.broken;
    if (!this.waiting) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('close', done);
      this.out.once('error', done);
    });
    this.waiting = false;
    if (this.broken) throw this.broken;
  }

  /** Flushes, ends the writable and resolves once every byte was handed over. */
  async end(): Promise<SinkResult> {
    this.flush();
    if (this.broken) throw this.broken;
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
    if (this.broken) throw this.broken;
    return { bytes: this.bytesOut, sha256: this.hash.digest('hex') };
  }

  /** The hash of what was sent so far, for a record of an interrupted export. */
  partial(): SinkResult {
    return { bytes: this.bytesOut, sha256: this.hash.copy().digest('hex') };
  }

  private flush(): void {
    if (!this.buf) return;
    const b = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    this.push(b);
  }

  private push(b: Uint8Array): void {
    if (this.broken) throw this.broken;
    this.hash.update(b);
    this.bytesOut += b.length;
    if (!this.out.write(b)) this.waiting = true;
  }
}
