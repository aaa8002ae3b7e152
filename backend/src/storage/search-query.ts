// Turns what a user typed into a safe full-text query: words become quoted prefix terms, so no user
// text is ever read as FTS or Cypher syntax. Digit groups ("2161 1111") join into one number prefix.
export interface SearchTerms {
  terms: string[];
  digitsOnly: boolean;
}

export function searchTerms(q: string): SearchTerms {
  const words = q.normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 12);
  const digitsOnly = words.length > 0 && words.every((w) => /^\d+$/.test(w));
  if (digitsOnly) return { terms: [words.join('')], digitsOnly };
  return { terms: words, digitsOnly };
}

/** FTS5 MATCH expression: every term quoted and prefix-matched, all required. */
export function fts5Match(q: string): string | null {
  const { terms } = searchTerms(q);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replace(/"/g, '')}"*`).join(' AND ');
}
