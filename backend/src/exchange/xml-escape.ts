// XML escaping for the GraphML and GEXF writers: every label and value is untrusted text. Characters
// XML 1.0 cannot carry at all (C0 controls, U+FFFE/U+FFFF, lone surrogates) are stripped; the writers
// keep the exact value in a JSON attribute when this happens, so our own reader restores it.

/** Characters no XML 1.0 document may contain, even as character references. */
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ILLEGAL_TEST = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;

/** True when `s` holds a character XML cannot carry (a cheap test; surrogate pairs are checked precisely later). */
export function hasXmlIllegal(s: string): boolean {
  if (!ILLEGAL_TEST.test(s)) return false;
  ILLEGAL.lastIndex = 0;
  return ILLEGAL.test(s);
}

export function stripXmlIllegal(s: string): string {
  return ILLEGAL_TEST.test(s) ? s.replace(ILLEGAL, '') : s;
}

const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/;
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Element text: `&`, `<`, `>` escaped; CR as a reference so parsers do not fold CRLF. */
export function xmlText(s: string): string {
  const t = stripXmlIllegal(s);
  return TEXT_SPECIAL.test(t) ? t.replace(/[&<>\r]/g, (c) => ESC[c]) : t;
}

/** Attribute value (for double-quoted attributes): also quotes, and tab/LF/CR so they survive normalisation. */
export function xmlAttr(s: string): string {
  const t = stripXmlIllegal(s);
  return ATTR_SPECIAL.test(t) ? t.replace(/[&<>"'\t\n\r]/g, (c) => ESC[c]) : t;
}

/**
 * JSON text that stays XML-safe: JSON.stringify already escapes C0 controls and lone surrogates;
 * U+FFFE/U+FFFF can only occur inside string literals, where a \u escape means the same.
 */
export function xmlSafeJson(v: unknown): string {
  const s = JSON.stringify(v);
  return /[\ufffe\uffff]/.test(s) ? s.replace(/\ufffe/g, '\\ufffe').replace(/\uffff/g, '\\uffff') : s;
}
