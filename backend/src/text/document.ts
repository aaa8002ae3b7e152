// Document bytes → plain text for extraction: plain text, Markdown, HTML and PDF, bounded in size and pages.
import { Parser } from 'htmlparser2';
import iconv from 'iconv-lite';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { TextDocumentKind } from './text.schema.ts';

export type DocumentKind = z.infer<typeof TextDocumentKind>;

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const MAX_TEXT_CHARS = 1_000_000;
export const MAX_PDF_PAGES = 500;
/** a hostile PDF can make page after page slow to read: stop after this long */
const PDF_TIME_BUDGET_MS = 30_000;

export interface PlainDocument {
  kind: DocumentKind;
  text: string;
}

/** The kind of a document from its first bytes, then its name. */
export function detectKind(bytes: Uint8Array, name: string): DocumentKind {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  if (/^\s*%PDF-/.test(head) || (/\.pdf$/i.test(name) && head.includes('%PDF-'))) return 'pdf';
  const start = head.replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart().slice(0, 512).toLowerCase();
  if (/^<!doctype html|^<html[\s>]/.test(start) || /\.x?html?$/i.test(name)) return 'html';
  if (/\.(md|markdown|mdown)$/i.test(name)) return 'markdown';
  // a text that opens with markup tags is HTML whatever its name says
  if (/^<(head|body|p|div|article|section|h[1-6]|table|meta|title)[\s>]/.test(start)) return 'html';
  return 'text';
}

/** Reads a document as plain text. Throws AppError unsupported_format / import_failed / payload_too_large. */
export async function toPlainText(bytes: Uint8Array, name: string): Promise<PlainDocument> {
  if (bytes.length === 0) throw new AppError('bad_request', `${name}: the document is empty`);
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new AppError('payload_too_large', `${name}: documents are limited to ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
  const kind = detectKind(bytes, name);
  let text: string;
  if (kind === 'pdf') text = await pdfText(bytes, name);
  else {
    const raw = decodeText(bytes, name);
    text = kind === 'html' ? htmlText(raw) : kind === 'markdown' ? markdownText(raw) : raw;
  }
  text = tidy(text);
  if (text.length > MAX_TEXT_CHARS) {
    throw new AppError('payload_too_large', `${name}: the text is ${text.length.toLocaleString('en')} characters; at most ${MAX_TEXT_CHARS.toLocaleString('en')} are read`);
  }
  if (!/[\p{L}\p{N}]/u.test(text)) throw new AppError('import_failed', `${name}: the document has no text${kind === 'pdf' ? ' (a scanned PDF needs OCR first)' : ''}`);
  return { kind, text };
}

/** UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252; refuses binary files. */
export function decodeText(bytes: Uint8Array, name: string): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf16be');
  // text files have no NUL bytes and few control characters; executables, images and archives have many
  const sample = buf.subarray(0, 64 * 1024);
  let nul = 0;
  let control = 0;
  for (const b of sample) {
    if (b === 0) nul++;
    else if (b < 9 || (b > 13 && b < 32)) control++;
  }
  if (nul > 0 || control > sample.length * 0.05) {
    throw new AppError('unsupported_format', `${name}: this looks like a binary file; send plain text, Markdown, HTML or PDF`);
  }
  const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(start));
  } catch {
    return iconv.decode(buf.subarray(start), 'win1252');
  }
}

/** Line endings to \n, stray control characters out, runs of blank lines and trailing spaces trimmed. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const DROP = new Set(['script', 'style', 'head', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select']);
const BLOCK = new Set([
  'p', 'div', 'br', 'hr', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'td', 'th', 'table', 'thead', 'tbody',
  'section', 'article', 'header', 'footer', 'aside', 'nav', 'main', 'blockquote', 'pre', 'figure', 'figcaption', 'caption', 'address', 'form',
  'fieldset', 'legend', 'details', 'summary', 'body', 'html', 'title',
]);

/** Text of an HTML document: scripts, styles and the head dropped, block elements as line breaks, entities decoded. */
export function htmlText(html: string): string {
  const out: string[] = [];
  let dropDepth = 0;
  let preDepth = 0;
  const parser = new Parser(
    {
      onopentag(tag) {
        if (DROP.has(tag)) dropDepth++;
        else if (tag === 'pre') preDepth++;
        if (BLOCK.has(tag) && dropDepth === 0) out.push('\n');
      },
      ontext(data) {
        if (dropDepth > 0) return;
        out.push(preDepth > 0 ? data : data.replace(/[ \t\r\n\f]+/g, ' '));
      },
      onclosetag(tag) {
        if (DROP.has(tag)) dropDepth = Math.max(0, dropDepth - 1);
        else if (tag === 'pre') preDepth = Math.max(0, preDepth - 1);
        if (BLOCK.has(tag) && dropDepth === 0) out.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return out
    .join('')
    .split('\n')
    .map((l) => l.replace(/[ \u00a0]{2,}/g, ' ').trim())
    .join('\n');
}

/** Words of a Markdown document with the markup taken off (links keep their text, images their alt text). */
export function markdownText(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*(```|~~~).*$/gm, '')
    .replace(/^\s{0,3}\[[^\]\n]+\]:\s+\S+.*$/gm, '')
    .replace(/!\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/\[([^\]\n]+)\]\([^)\n]*\)/g, '$1')
    .replace(/\[([^\]\n]+)\]\[[^\]\n]*\]/g, '$1')
    .replace(/<\/?[A-Za-z][^>\n]*>/g, '')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/\s+#{1,6}\s*$/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s*([-*+]|\d{1,3}[.)])\s+/gm, '')
    .replace(/^\s{0,3}([-*_]\s*){3,}$/gm, '')
    .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, '')
    .replace(/\|/g, ' ')
    .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])[*_](?=\S)([^*_\n]*?\S)[*_](?!\w)/g, '$1$2')
    .replace(/`+([^`\n]+)`+/g, '$1')
    .replace(/~~([^~\n]+)~~/g, '$1');
}

/** Text of every page of a PDF (pdf.js, no eval, no font loading), bounded in pages and time. */
async function pdfText(bytes: Uint8Array, name: string): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js transfers (detaches) the buffer it is given: hand it a copy
  const task = getDocument({
    data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, useWorkerFetch: false,
    enableXfa: false, stopAtErrors: false, verbosity: 0,
  });
  const started = Date.now();
  let doc;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    const e = err as Error;
    if (e?.name === 'PasswordException') throw new AppError('import_failed', `${name}: the PDF is protected by a password`);
    throw new AppError('import_failed', `${name}: not a readable PDF (${e?.message ?? 'unknown error'})`);
  }
  try {
    if (doc.numPages > MAX_PDF_PAGES) throw new AppError('payload_too_large', `${name}: the PDF has ${doc.numPages} pages; at most ${MAX_PDF_PAGES} are read`);
    const pages: string[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      if (Date.now() - started > PDF_TIME_BUDGET_MS) throw new AppError('import_failed', `${name}: reading the PDF took too long (stopped at page ${n})`);
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let s = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        s += item.str;
        if (item.hasEOL) s += '\n';
      }
      page.cleanup();
      pages.push(s);
      chars += s.length;
      if (chars > MAX_TEXT_CHARS) break; // the caller refuses the text as too long
    }
    return pages.join('\n\n');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('import_failed', `${name}: the PDF could not be read (${(err as Error)?.message ?? 'unknown error'})`);
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}
