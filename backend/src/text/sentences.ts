// Sentence splitting with character offsets: line breaks end sentences, Intl.Segmenter splits within a line.
import type { Sentence } from './text.schema.ts';

/**
 * Words whose full stop does not end a sentence. Intl.Segmenter splits after "Mr." or "Oct."; joining
 * those back keeps a name or a date inside the sentence that gives it context.
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'sra', 'jr', 'st', 'no', 'nr', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'dept', 'gen', 'col', 'capt',
  'lt', 'sgt', 'insp', 'det', 'supt', 'gov', 'sen', 'rep', 'hon', 'rev', 'fig', 'approx', 'tel', 'ref', 'art', 'ave', 'av', 'jan', 'feb', 'mar',
  'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k', 'e.g', 'i.e', 'a.m', 'p.m',
]);

let segmenter: Intl.Segmenter | undefined;

/** Splits text into sentences; each is [start, end) of `text` with surrounding white space excluded. */
export function splitSentences(text: string): Sentence[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: Sentence[] = [];
  const lineRe = /[^\n]+/g;
  for (let line = lineRe.exec(text); line; line = lineRe.exec(text)) {
    const base = line.index;
    let pending: { start: number; end: number } | undefined;
    for (const seg of segmenter.segment(line[0])) {
      const span = trimmed(text, base + seg.index, base + seg.index + seg.segment.length);
      if (!span) continue;
      if (pending && endsWithAbbreviation(text.slice(pending.start, pending.end))) {
        pending.end = span.end;
        continue;
      }
      if (pending) out.push({ index: out.length, ...pending });
      pending = span;
    }
    if (pending) out.push({ index: out.length, ...pending });
  }
  return out;
}

function trimmed(text: string, start: number, end: number): { start: number; end: number } | undefined {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end > start ? { start, end } : undefined;
}

function endsWithAbbreviation(s: string): boolean {
  const m = /(?:^|[\s(])([A-Za-z](?:\.?[A-Za-z])*)\.$/.exec(s);
  if (!m) return false;
  const word = m[1].toLowerCase();
  // a single capital letter and a full stop is an initial ("J. Smith")
  return ABBREVIATIONS.has(word) || /^[a-z]$/.test(word);
}

/** The index of the sentence containing character `pos` (binary search), or -1. */
export function sentenceAt(sentences: readonly Sentence[], pos: number): number {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (pos < s.start) hi = mid - 1;
    else if (pos >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The sentence nearest to `pos`: the one containing it, else the one just before (spans between sentences). */
export function sentenceNear(sentences: readonly Sentence[], pos: number): number {
  const at = sentenceAt(sentences, pos);
  if (at >= 0) return at;
  let lo = 0;
  let hi = sentences.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sentences[mid].start <= pos) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
