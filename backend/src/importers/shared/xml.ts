// A hardened streaming XML reader for untrusted reports: saxes events behind a guard that refuses
// DOCTYPE/ENTITY (XXE, billion laughs), bounds nesting depth and the characters saxes may buffer,
// repairs XML-illegal characters and character references (they occur in real exports), and reports
// every problem as import_failed with the file, the element path and the line/column.
import { SaxesParser } from 'saxes';
import { AppError, importError } from '../../errors.ts';
import { LIMITS } from './limits.ts';

/**
 * Longest run of characters without a `<` accepted (one text node, attribute list or CDATA section that
 * saxes would buffer whole). Real report values are far smaller; a longer run is treated as hostile.
 */
export const XML_MAX_RUN_CHARS = 32 * 1024 * 1024;

export interface XmlHandlers {
  /** an element opened (the reader's `path()` is its XPath-like position, built on demand) */
  open(name: string, attrs: Record<string, string>): void;
  close(name: string): void;
  /** character data (text or CDATA) inside the current element */
  text(text: string): void;
}

export interface SafeXmlOptions {
  /** file name for messages */
  file: string;
  /** prefix of every position, e.g. `entry report.xml` for a file inside an archive */
  where?: string;
  maxDepth?: number;
  maxRunChars?: number;
  handlers: XmlHandlers;
}

interface Frame {
  name: string;
  /** `[@name="…"]`-style key, or '' when the element is identified by its index among siblings */
  key: string;
  index: number;
  counts: Map<string, number> | null;
}

/** XML 1.0 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const CHAR_REF = /&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,10}));/g;
const RAW_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const DECLARATION = /<!(DOCTYPE|ENTITY)/;

/**
 * Streaming XML reader. Feed it bytes with `write`, then `end()`. Handlers run synchronously inside
 * `write`; an error thrown by a handler propagates unchanged when it is already an AppError.
 */
export class SafeXmlReader {
  private readonly parser: SaxesParser<{ xmlns: false; position: true }>;
  private readonly stack: Frame[] = [];
  private readonly file: string;
  private readonly where: string;
  private readonly maxDepth: number;
  private readonly maxRun: number;
  private decoder: TextDecoder | null = null;
  private carry = '';
  private tail = '';
  private run = 0;
  private prologDone = false;
  /** bytes and characters fed so far */
  bytes = 0;
  /** XML-illegal characters and character references replaced by U+FFFD */
  repaired = 0;
  firstRepair: string | null = null;

  constructor(private readonly opts: SafeXmlOptions) {
    this.file = opts.file;
    this.where = opts.where ? `${opts.where} ` : '';
    this.maxDepth = opts.maxDepth ?? LIMITS.xmlMaxDepth;
    this.maxRun = opts.maxRunChars ?? XML_MAX_RUN_CHARS;
    const p = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
    this.parser = p;
    const h = opts.handlers;
    p.on('doctype', () => {
      throw this.error('DOCTYPE declarations are refused (external entities and entity expansion are not allowed)');
    });
    p.on('opentag', (tag) => {
      if (this.stack.length >= this.maxDepth) throw this.error(`elements nested deeper than ${this.maxDepth}`);
      const name = localName(tag.name);
      const attrs = tag.attributes as Record<string, string>;
      const parent = this.stack[this.stack.length - 1];
      let key = '';
      let index = 0;
      if (parent) {
        if (attrs.name !== undefined) key = `[@name="${clip(attrs.name)}"]`;
        else if (attrs.section !== undefined) key = `[@section="${clip(attrs.section)}"]`;
        else {
          if (!parent.counts) parent.counts = new Map();
          index = (parent.counts.get(name) ?? 0) + 1;
          parent.counts.set(name, index);
        }
      }
      this.stack.push({ name, key, index, counts: null });
      h.open(name, attrs);
    });
    p.on('closetag', (tag) => {
      h.close(localName(tag.name));
      this.stack.pop();
    });
    p.on('text', (t) => h.text(t));
    p.on('cdata', (t) => h.text(t));
  }

  /** `/project/decodedData/modelType[2]/model[5]/field[@name="TimeStamp"]` for the current element */
  path(): string {
    let s = '';
    for (const f of this.stack) s += `/${f.name}${f.key || (f.index ? `[${f.index}]` : '')}`;
    return s || '/';
  }

  /** the position for messages: archive entry, element path, line and column */
  position(): string {
    return `${this.where}${this.path()} (line ${this.parser.line}, column ${this.parser.column + 1})`;
  }

  error(message: string): AppError {
    return importError(this.file, this.position(), message);
  }

  /** Feeds raw bytes (UTF-8 unless a UTF-16 byte-order mark says otherwise). */
  write(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (!this.decoder) {
      let encoding = 'utf-8';
      if (chunk[0] === 0xff && chunk[1] === 0xfe) encoding = 'utf-16le';
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) encoding = 'utf-16be';
      this.decoder = new TextDecoder(encoding);
    }
    this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Ends the document: unclosed elements (a truncated file) are an error here. */
  end(): void {
    if (this.decoder) this.feed(this.decoder.decode());
    if (this.carry) {
      const rest = this.carry;
      this.carry = '';
      this.push(rest);
    }
    this.guard(() => this.parser.close());
  }

  private feed(text: string): void {
    let s = this.carry + text;
    this.carry = '';
    // a character reference split across chunks is completed by the next one
    const amp = s.lastIndexOf('&');
    if (amp >= 0 && s.length - amp < 16 && s.indexOf(';', amp) < 0) {
      this.carry = s.slice(amp);
      s = s.slice(0, amp);
    }
    if (s) this.push(s);
  }

  private push(s: string): void {
    if (!this.prologDone) {
      // refuse declarations in the prolog before saxes buffers a (possibly huge) internal subset
      const root = /<[A-Za-z_:]/.exec(s);
      const prolog = root ? s.slice(0, root.index) : s;
      if (DECLARATION.test(this.tail + prolog)) throw this.error('DOCTYPE/ENTITY declarations are refused (external entities and entity expansion are not allowed)');
      this.tail = prolog.slice(-16);
      if (root) this.prologDone = true;
    }
    const chunk = s;
    if (s.includes('&#')) s = s.replace(CHAR_REF, (ref: string, hex: string | undefined, dec: string | undefined, offset: number) => {
      const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
      if (isXmlChar(cp)) return ref;
      this.noteRepair(ref, chunk, offset);
      return '\ufffd';
    });
    RAW_ILLEGAL.lastIndex = 0;
    if (RAW_ILLEGAL.test(s)) {
      const before = s;
      s = s.replace(RAW_ILLEGAL, (c: string, offset: number) => {
        this.noteRepair(`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, before, offset);
        return '\ufffd';
      });
    }
    // runs inside one chunk are bounded by the chunk; only a run carried across chunks can grow
    const first = s.indexOf('<');
    if (first < 0) this.run += s.length;
    else {
      if (this.run + first > this.maxRun) this.run += first;
      else this.run = s.length - s.lastIndexOf('<') - 1;
    }
    if (this.run > this.maxRun) throw this.error(`more than ${this.maxRun} characters without markup (a text or attribute value this long is refused)`);
    this.guard(() => this.parser.write(s));
  }

  private noteRepair(what: string, chunk: string, offset: number): void {
    this.repaired++;
    if (this.firstRepair) return;
    // saxes has consumed everything before this chunk, so its line plus the newlines before the offset
    let line = this.parser.line;
    for (let i = chunk.indexOf('\n'); i >= 0 && i < offset; i = chunk.indexOf('\n', i + 1)) line++;
    this.firstRepair = `${what} near ${this.where}line ${line}`;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      // saxes prefixes its messages with "line:column: "; our position says it already
      throw this.error(message.replace(/^(?:[^:]*:)?\d+:\d+:\s*/, ''));
    }
  }
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s.replace(/"/g, "'");
}
