// Full-text search on Neo4j, made to behave like the embedded store's FTS5 index. Casegraph splits and folds
// the text itself (words of letters and digits, accents removed, lower case) and stores it pre-tokenised;
// the Lucene index only splits on white space. So both stores see the same words, no stop words are dropped,
// and a user's query reaches Lucene only as escaped, field-qualified prefix terms — never as syntax.
import { searchTerms } from '../search-query.ts';

/** The word split of `searchTerms` (and of FTS5's unicode61 tokenizer): runs of letters and digits. */
const NOT_WORD = /[^\p{L}\p{N}]+/u;

/** Accent- and case-folding, like FTS5's `remove_diacritics`. */
export function fold(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** Text as stored for the index: its folded words joined by single spaces. */
export function indexText(parts: readonly string[]): string {
  return parts
    .flatMap((p) => p.normalize('NFKC').split(NOT_WORD))
    .map(fold)
    .filter(Boolean)
    .join(' ');
}

const LUCENE_SPECIAL = /[+\-&|!(){}[\]^"~*?:\\/]/g;

export function escapeLucene(term: string): string {
  return term.replace(LUCENE_SPECIAL, '\\$&');
}

/** Label words weigh ten times the other search words, as in the embedded store's bm25(10, 1). */
const LABEL_BOOST = 10;

/**
 * The Lucene query for what a user typed: every term required, prefix-matched in the label words or the
 * search words. Digits-only input ("2161 1111") is one number prefix that matches the digit-suffix words
 * phones keep in their `search` list. Null when nothing searchable is left.
 */
export function luceneQuery(q: string): string | null {
  const terms = searchTerms(q).terms.map(fold).filter(Boolean);
  if (terms.length === 0) return null;
  return terms.map((t) => {
    const e = escapeLucene(t);
    return `+(searchLabel:${e}*^${LABEL_BOOST} searchText:${e}*)`;
  }).join(' ');
}
