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

/** Lines of a file, in order. The last line is yielded even without a final newline. */
export async function* readLines(path: string, file: string, maxLine = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let no = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
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
      yield { no: ++no, bytes };
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry.push(rest);
      carryLen += rest.length;
      if (carryLen > maxLine) throw importError(file, `line ${no + 1}`, `a line longer than ${Math.round(maxLine / 1024 / 1024)} MiB`);
    }
  }
  if (carryLen) yield { no: ++no, bytes: Buffer.concat(carry, carryLen) };
}

/** A pull reader over `readLines` with one line of look-ahead. */
export class LineCursor {
  private readonly it: AsyncGenerator<Line>;
  private peeked: Line | null | undefined;

  constructor(path: string, file: string) {
    this.it = readLines(path, file);
  }

  async peek(): Promise<Line | null> {
    if (this.peeked === undefined) {
      const r = await this.it.next();
      this.peeked = r.done ? null : r.value;
    }
    return this.peeked;
  }

  async next(): Promise<Line | null> {
    const l = await this.peek();
    this.peeked = undefined;
    return l;
  }

  async close(): Promise<void> {
    await this.it.return(undefined);
  }
}
