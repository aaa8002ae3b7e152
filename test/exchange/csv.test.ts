// CSV export: RFC 4180 quoting, formula injection neutralised in every cell (=, +, -, @, tab, CR),
// a valid zip with nodes/edges/events/sources, provenance per row.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../backend/src/exchange/csv-safe.ts';
import { exportToFile, FORMULA_LABEL, makeFixture, type Fixture } from './helpers.ts';

/** A small RFC 4180 parser (quotes, doubled quotes, CRLF and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe('CSV cells', () => {
  it.each([
    ['=1+2', "'=1+2"], ['+51 987 654 321', "'+51 987 654 321"], ['-2+3', "'-2+3"], ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"], ['\rcmd', "\"'\rcmd\""], ['plain', 'plain'], ['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['two\nlines', '"two\nlines"'],
    [42, '42'], [-5, "'-5"], [true, 'true'], [null, ''], [['x', 1], '"[""x"",1]"'],
  ])('%j → %s', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('a row ends with CRLF', () => {
    expect(csvRow(['a', '=b', 'c"d'])).toBe('a,\'=b,"c""d"\r\n');
  });
});

describe('CSV export (zip)', () => {
  let fx: Fixture;
  let files: Record<string, string>;
  beforeAll(async () => {
    fx = await makeFixture();
    const { path } = await exportToFile(fx.store, fx.dir, { format: 'csv', redactVictims: false }, 'x.zip');
    files = Object.fromEntries(Object.entries(unzipSync(readFileSync(path))).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
  });
  afterAll(() => fx.close());

  it('holds nodes, edges, events, sources and a README', () => {
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'edges.csv', 'events.csv', 'nodes.csv', 'sources.csv']);
  });

  it('no cell of any file starts with a formula character', () => {
    for (const [name, text] of Object.entries(files)) {
      if (!name.endsWith('.csv')) continue;
      for (const row of parseCsv(text)) for (const cell of row) expect(cell, `${name}: ${cell}`).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('keeps values readable and every row has the header\'s width', () => {
    const nodes = parseCsv(files['nodes.csv']);
    const head = nodes[0];
    expect(head.slice(0, 3)).toEqual(['Id', 'Label', 'entity_type']);
    for (const r of nodes) expect(r).toHaveLength(head.length);
    const formula = nodes.find((r) => r[0] === fx.ids.formula)!;
    expect(formula[1]).toBe(`'${FORMULA_LABEL}`);
    const at = head.indexOf('at');
    expect(formula[at]).toBe("'@SUM(A1)");
    const tab = nodes.find((r) => r[0] === fx.ids.tab)!;
    expect(tab[1]).toBe('tab\there & "q"');
    expect(tab[head.indexOf('bio')]).toBe('line1\nline2\r\nline3');
    const prov = JSON.parse(tab[head.indexOf('provenance')]);
    expect(prov[0]).toMatchObject({ source: 'synthetic-handset-01.xml', locators: ['/project/accounts/1'] });
    expect(prov[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('edges carry Gephi columns and call aggregates; events list each call', () => {
    const edges = parseCsv(files['edges.csv']);
    expect(edges[0].slice(0, 7)).toEqual(['Id', 'Source', 'Target', 'Type', 'Label', 'link_type', 'Weight']);
    const called = edges.filter((r) => r[5] === 'CALLED' && r[1] === fx.ids.bphone && r[2] === fx.ids.vphone);
    expect(called).toHaveLength(1);
    expect(called[0].slice(3, 9)).toEqual(['Directed', 'CALLED', 'CALLED', '2', '2', '185.5']);
    const events = parseCsv(files['events.csv']);
    expect(events.length - 1).toBe(4);
    expect(parseCsv(files['sources.csv']).slice(1).map((r) => r[1])).toEqual(['lima-raid.report.yaml', 'synthetic-handset-01.xml', 'other-case.report.yaml']);
  });
});
