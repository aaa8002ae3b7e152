// Reads a file as lines of bytes without holding it whole: for the line-shaped exchange formats
// (snapshot records, FtM JSON lines). Lines are bounded so a hostile file cannot grow one without end.
import { createReadStream } from 'node:fs';
import { importError } from '../errors.ts';

export interface Line {
  /** 1-based line number */
  no: number;
  /** the line's bytes without the newline (a trailing CR is kept: callers that hash need exact bytes) */
  bytes: Buffer;
}

export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Lines of a file in order, a read chunk's worth at a time (one await per MiB, not per line: a
 * 100k-record snapshot has 100k lines). The last line is yielded even without a final newline.
 */
export async function* readLineBatches(path: string, file: string, maxLine = MAX_LINE_BYTES): AsyncGenerator<Line[]> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let no = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    const batch: Line[] = [];
    let start = 0;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, i);
      let bytes: Buffer;
      if (carryLen) {
        carry.push(part);
        bytes = Buffer.concat(carry, carryLen + part.length);
        carry = [];
        carryLen = 0;
      } else bytes = part;
      start = i + 1;
      batch.push({ no: ++no, bytes });
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry.push(rest);
      carryLen += rest.length;
      if (carryLen > maxLine) throw importError(file, `line ${no + 1}`, `a line longer than ${Math.round(maxLine / 1024 / 1024)} MiB`);
    }
    if (batch.length) yield batch;
  }
  if (carryLen) yield [{ no: ++no, bytes: Buffer.concat(carry, carryLen) }];
}

/** Lines of a file, in order. The last line is yielded even without a final newline. */
export async function* readLines(path: string, file: string, maxLine = MAX_LINE_BYTES): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(path, file, maxLine)) yield* batch;
}

/**
 * A pull reader over `readLineBatches` with one line of look-ahead. `peekSync` answers from the
 * current batch without a promise; `undefined` means the next batch must be read (await `peek`).
 */
export class LineCursor {
  private readonly it: AsyncGenerator<Line[]>;
  private batch: Line[] = [];
  private at = 0;
  private done = false;

  constructor(path: string, file: string) {
    this.it = readLineBatches(path, file);
  }

  peekSync(): Line | null | undefined {
    if (this.at < this.batch.length) return this.batch[this.at];
    return this.done ? null : undefined;
  }

  async peek(): Promise<Line | null> {
    while (this.at >= this.batch.length && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.batch = r.value;
        this.at = 0;
      }
    }
    return this.at < this.batch.length ? this.batch[this.at] : null;
  }

  /** Moves past the line `peek` returned. */
  skip(): void {
    this.at++;
  }

  async next(): Promise<Line | null> {
    const l = this.peekSync() ?? (await this.peek());
    if (l) this.at++;
    return l;
  }

  async close(): Promise<void> {
    this.done = true;
    await this.it.return(undefined);
  }
}
