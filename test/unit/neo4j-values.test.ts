// Value conversion at the Neo4j boundary and the full-text query builder, checked against what the
// embedded store does (JSON round trip of props, SQLite's byte order, FTS5 word splitting).
import Database from 'better-sqlite3';
import fc from 'fast-check';
import neo4j, { isDateTime, isInt } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import type { Props } from '../../backend/src/model/index.ts';
import { escapeLucene, fold, indexText, luceneQuery } from '../../backend/src/storage/neo4j/fulltext.ts';
import { byteCompare, dateTimeToIso, decodeProps, encodeProps, isoToDateTime, plain, toInt } from '../../backend/src/storage/neo4j/values.ts';

const scalar = fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(2 ** 53), fc.constant(-0));
const propValue = fc.oneof(scalar, fc.constant(null), fc.array(fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 5 }),
  fc.array(fc.string(), { maxLength: 4 }), fc.array(fc.integer(), { maxLength: 4 }));
const props = fc.dictionary(fc.string().filter((k) => k !== '__proto__'), propValue, { maxKeys: 8 }) as fc.Arbitrary<Props>;

/** What Neo4j can store as a property: a scalar or a non-empty list of one type (Integer and Float are different types). */
function storable(v: unknown): boolean {
  const kind = (x: unknown) => (isInt(x) ? 'int' : typeof x === 'number' ? 'float' : typeof x === 'string' ? 'string' : typeof x === 'boolean' ? 'bool' : isDateTime(x) ? 'datetime' : 'no');
  if (Array.isArray(v)) return v.length > 0 && kind(v[0]) !== 'no' && kind(v[0]) !== 'datetime' && v.every((x) => kind(x) === kind(v[0]));
  return kind(v) !== 'no' && !(typeof v === 'number' && !Number.isFinite(v));
}

describe('props ⇄ native Neo4j properties', () => {
  it('round-trips exactly as the embedded store does (a JSON round trip), key order included', () => {
    fc.assert(fc.property(props, (p) => {
      const stored = encodeProps(p);
      // what the server keeps: null-valued properties are not stored; then what the adapter reads back
      const kept = Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null));
      const back = decodeProps(plain(kept) as Record<string, unknown>);
      const embedded = JSON.parse(JSON.stringify(p)) as Props;
      expect(back).toEqual(embedded);
      expect(Object.keys(back)).toEqual(Object.keys(embedded));
    }), { numRuns: 400 });
  });

  it('sends only values Neo4j can store, under prefixed keys', () => {
    fc.assert(fc.property(props, (p) => {
      for (const [k, v] of Object.entries(encodeProps(p))) {
        if (k === 'propKeys') {
          expect(v === null || (Array.isArray(v) && v.length > 0)).toBe(true);
          continue;
        }
        expect(k).toMatch(/^(p_|pj_)/);
        expect(storable(v)).toBe(true);
      }
    }), { numRuns: 400 });
  });

  it('stores whole numbers as integers and the rest natively where it can', () => {
    const e = encodeProps({ n: 3, f: 2.5, big: 2 ** 60, s: 'x', b: true, ints: [1, 2], floats: [1, 2.5], strs: ['a'], none: null, empty: [], mixed: [1, 'a'] });
    expect(isInt(e.p_n)).toBe(true);
    expect(e.p_f).toBe(2.5);
    expect(e.p_big).toBe(2 ** 60);
    expect((e.p_ints as unknown[]).every(isInt)).toBe(true);
    expect(e.p_floats).toEqual([1, 2.5]);
    expect(e.pj_empty).toBe('[]');
    expect(e.pj_mixed).toBe('[1,"a"]');
    expect(e.propKeys).toEqual(['n', 'f', 'big', 's', 'b', 'ints', 'floats', 'strs', 'none', 'empty', 'mixed']);
    expect('p_none' in e || 'pj_none' in e).toBe(false);
    expect(encodeProps({})).toEqual({ propKeys: null });
  });
});

describe('times and integers', () => {
  it('ISO strings become UTC DateTimes and come back in the embedded format to the millisecond', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString();
      const dt = isoToDateTime(iso);
      expect(isDateTime(dt)).toBe(true);
      expect(dt.timeZoneOffsetSeconds?.toNumber()).toBe(0);
      expect(dateTimeToIso(dt)).toBe(iso);
      expect(plain({ at: dt })).toEqual({ at: iso });
    }));
  });

  it('normalises what the server may return: offsets, nanoseconds, zone-less input', () => {
    const plus2 = new neo4j.types.DateTime(2023, 9, 20, 12, 0, 0, 123_456_789, 7200);
    expect(dateTimeToIso(plus2)).toBe('2023-09-20T10:00:00.123Z');
    expect(dateTimeToIso(isoToDateTime('2023-09-20T10:00:00Z'))).toBe('2023-09-20T10:00:00.000Z');
    expect(dateTimeToIso(isoToDateTime('2023-09-20T10:00'))).toBe('2023-09-20T10:00:00.000Z');
    expect(dateTimeToIso(isoToDateTime('2023-09-20T12:00:00+02:00'))).toBe('2023-09-20T10:00:00.000Z');
    expect(() => isoToDateTime('yesterday')).toThrow(expect.objectContaining({ code: 'import_failed' }));
  });

  it('plain() leaves no driver type anywhere in a value', () => {
    const v = plain({ n: neo4j.int(7), list: [neo4j.int(1), { at: isoToDateTime('2023-01-01T00:00:00.000Z') }], s: 'x', nil: null });
    expect(v).toEqual({ n: 7, list: [1, { at: '2023-01-01T00:00:00.000Z' }], s: 'x', nil: null });
    expect(() => toInt(1.5)).toThrow();
  });

  it('sorts text the way SQLite does (byte order), so both stores list things alike', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (s TEXT)');
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 2, maxLength: 20 }), (list) => {
      db.exec('DELETE FROM t');
      const ins = db.prepare('INSERT INTO t VALUES (?)');
      list.forEach((s) => ins.run(s));
      const sqlite = db.prepare('SELECT s FROM t ORDER BY s').pluck().all();
      expect([...list].sort(byteCompare)).toEqual(sqlite);
    }), { numRuns: 200 });
    db.close();
  });
});

describe('full-text query', () => {
  it('folds accents and case, splits like FTS5 (letters and digits), keeps every word (no stop words)', () => {
    expect(fold('Pérez')).toBe('perez');
    expect(indexText(['Chén Dàlóng', 'Boss Chen'])).toBe('chen dalong boss chen');
    expect(indexText(['House in La Molina'])).toBe('house in la molina');
    expect(indexText(['+60 3-2161 1111', 'a@b.com'])).toBe('60 3 2161 1111 a b com');
  });

  it('makes every term a required, escaped prefix on the label (boosted) or the search words', () => {
    expect(luceneQuery('Jose Perez')).toBe('+(searchLabel:jose*^10 searchText:jose*) +(searchLabel:perez*^10 searchText:perez*)');
    expect(luceneQuery('2161 1111')).toBe('+(searchLabel:21611111*^10 searchText:21611111*)');
    expect(luceneQuery('+60 3 2161')).toBe('+(searchLabel:6032161*^10 searchText:6032161*)');
    expect(luceneQuery('AND OR NOT')).toBe('+(searchLabel:and*^10 searchText:and*) +(searchLabel:or*^10 searchText:or*) +(searchLabel:not*^10 searchText:not*)');
    expect(luceneQuery('   ')).toBeNull();
    expect(luceneQuery('"); DROP TABLE entities; --')).toBe('+(searchLabel:drop*^10 searchText:drop*) +(searchLabel:table*^10 searchText:table*) +(searchLabel:entities*^10 searchText:entities*)');
    expect(escapeLucene('a+b-c&&d||e!(f){g}[h]^"i"~j*k?l:m\\n/o')).toBe('a\\+b\\-c\\&\\&d\\|\\|e\\!\\(f\\)\\{g\\}\\[h\\]\\^\\"i\\"\\~j\\*k\\?l\\:m\\\\n\\/o');
  });

  it('never lets typed text become Lucene syntax', () => {
    const clause = /^\+\(searchLabel:((?:\\.|[\p{L}\p{N}])+)\*\^10 searchText:\1\*\)$/u;
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (q) => {
      const out = luceneQuery(q);
      if (out === null) return;
      for (const part of out.split(' ')) {
        // each clause is "+(searchLabel:<term>*^10 searchText:<term>*)" with only letters, digits or escapes in <term>
        expect(part.startsWith('+(searchLabel:') || part.startsWith('searchText:')).toBe(true);
      }
      for (const c of out.match(/\+\(searchLabel:[^ ]+ searchText:[^ ]+\)/g) ?? []) expect(c).toMatch(clause);
      expect(out.match(/\+\(/g)?.length).toBe(out.match(/\+\(searchLabel:[^ ]+ searchText:[^ ]+\)/g)?.length);
    }), { numRuns: 500 });
  });
});
