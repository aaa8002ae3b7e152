// CSV cells for people who open exports in a spreadsheet: RFC 4180 quoting, and every cell that a
// spreadsheet would read as a formula (leading =, +, -, @, tab or CR) neutralised with a leading `'`.
// Phone numbers like +51… therefore appear as '+51…: that is the price of never executing a formula.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A neutralised, RFC 4180-quoted cell. null/undefined become an empty cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record terminated by CRLF (RFC 4180). */
export function csvRow(cells: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) out += (i ? ',' : '') + csvCell(cells[i]);
  return `${out}\r\n`;
}
