// Wall-clock date/time patterns as operators and locales write them (`DD/MM/YYYY`, `YYYYMMDD HH:mm`…):
// compiled once to a strict matcher, read to calendar fields, then to UTC with `zonedToUtc` from time.ts.

export interface WallClock {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** Matches `text` against the compiled pattern; null when it does not match or is not a real date. */
export type WallClockReader = (text: string) => WallClock | null;

const TOKENS = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];
const FIELD: Record<Token, keyof WallClock> = { YYYY: 'y', MM: 'mo', DD: 'd', HH: 'h', mm: 'mi', ss: 's' };
/** tokens that may be written without a leading zero (`1/9/2023 7:05`) when a separator follows them */
const FLEXIBLE = new Set<Token>(['MM', 'DD', 'HH']);
const LITERALS = /^[-/. :T,]$/;

/**
 * Compiles a pattern made of the tokens YYYY MM DD HH mm ss and the separators `- / . : T , space`.
 * Returns null for a pattern that is not of that shape (unknown letters, a token twice, no YYYY/MM/DD
 * or no HH/mm when the other is given). DD, MM and HH also accept one digit unless another token follows
 * them directly (`YYYYMMDD` stays fixed-width).
 */
export function compileWallClockPattern(pattern: string): WallClockReader | null {
  const parts: ({ token: Token } | { literal: string })[] = [];
  let i = 0;
  while (i < pattern.length) {
    const token = TOKENS.find((t) => pattern.startsWith(t, i));
    if (token) {
      if (parts.some((p) => 'token' in p && p.token === token)) return null;
      parts.push({ token });
      i += token.length;
    } else if (LITERALS.test(pattern[i])) {
      parts.push({ literal: pattern[i] });
      i += 1;
    } else {
      return null;
    }
  }
  const has = (t: Token) => parts.some((p) => 'token' in p && p.token === t);
  const hasDate = has('YYYY') && has('MM') && has('DD');
  const anyDate = has('YYYY') || has('MM') || has('DD');
  const hasTime = has('HH') && has('mm');
  if ((anyDate && !hasDate) || (has('HH') !== has('mm')) || (has('ss') && !hasTime) || (!hasDate && !hasTime)) return null;

  const order: Token[] = [];
  let source = '^';
  parts.forEach((p, k) => {
    if ('literal' in p) {
      source += p.literal === ' ' ? '\\s+' : p.literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      return;
    }
    order.push(p.token);
    const nextIsToken = k + 1 < parts.length && 'token' in parts[k + 1];
    const prevIsToken = k > 0 && 'token' in parts[k - 1];
    if (p.token === 'YYYY') source += '(\\d{4})';
    else if (FLEXIBLE.has(p.token) && !nextIsToken && !prevIsToken) source += '(\\d{1,2})';
    else source += '(\\d{2})';
  });
  const re = new RegExp(`${source}$`);
  return (text: string) => {
    const m = re.exec(text.trim());
    if (!m) return null;
    const wc: WallClock = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0 };
    order.forEach((t, k) => {
      wc[FIELD[t]] = Number(m[k + 1]);
    });
    return validWallClock(wc) ? wc : null;
  };
}

/** True when the fields name a real calendar day and time (no 31 February, no 24:00, leap seconds refused). */
export function validWallClock(w: WallClock): boolean {
  if (w.mo < 1 || w.mo > 12 || w.d < 1 || w.h > 23 || w.mi > 59 || w.s > 59) return false;
  const daysInMonth = new Date(Date.UTC(w.y, w.mo, 0)).getUTCDate();
  return w.d <= daysInMonth;
}

/** Whether a pattern compiles, for schema validation. */
export function isWallClockPattern(pattern: string): boolean {
  return compileWallClockPattern(pattern) !== null;
}

/** Whether a compiled pattern carries a time of day (so no separate time column is needed). */
export function patternHasTime(pattern: string): boolean {
  return /HH/.test(pattern);
}

/** Whether a pattern carries a calendar date. */
export function patternHasDate(pattern: string): boolean {
  return /YYYY/.test(pattern);
}
