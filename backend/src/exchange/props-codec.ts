// How our props become typed columns/attributes in graph formats (GraphML keys, GEXF attributes, CSV
// columns, Cytoscape data fields) and come back exactly: each prop gets a column named after it (names
// our formats reserve are prefixed `prop_`), and a kind that says how its values are written. Props
// whose values are not all of one scalar type (arrays, nulls, mixed) are written as JSON text.
import type { Props } from '../model/index.ts';

export type PropKind = 'string' | 'long' | 'double' | 'boolean' | 'json';

/** Column names the formats use for our own fields; a prop with one of these names is written as `prop_<name>`. */
const RESERVED = new Set(['id', 'label', 'type', 'color', 'x', 'y', 'z', 'size', 'weight', 'source', 'target', 'position', 'parent', 'name', 'schema']);

export function columnOf(prop: string): string {
  return RESERVED.has(prop) || prop.startsWith('cg_') || prop.startsWith('prop_') ? `prop_${prop}` : prop;
}

/** The prop a column holds, or null when the column is one of ours (label, type, cg_…). */
export function propOf(column: string): string | null {
  if (column.startsWith('prop_')) return column.slice(5);
  if (RESERVED.has(column) || column.startsWith('cg_')) return null;
  return column;
}

type Seen = { str: boolean; int: boolean; float: boolean; bool: boolean; other: boolean };

/** Scans props to give every prop key one kind. Ordered by key so headers are deterministic. */
export class PropKinds {
  private readonly seen = new Map<string, Seen>();

  add(props: Props): void {
    for (const [k, v] of Object.entries(props)) {
      let s = this.seen.get(k);
      if (!s) this.seen.set(k, (s = { str: false, int: false, float: false, bool: false, other: false }));
      if (typeof v === 'string') s.str = true;
      else if (typeof v === 'number') {
        if (Number.isSafeInteger(v)) s.int = true;
        else s.float = true;
      } else if (typeof v === 'boolean') s.bool = true;
      else s.other = true;
    }
  }

  kinds(): [string, PropKind][] {
    return [...this.seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, s]) => [k, kindOf(s)]);
  }
}

function kindOf(s: Seen): PropKind {
  const n = Number(s.str) + Number(s.int || s.float) + Number(s.bool) + Number(s.other);
  if (n !== 1 || s.other) return 'json';
  if (s.str) return 'string';
  if (s.bool) return 'boolean';
  return s.float ? 'double' : 'long';
}

/** Text of a value in a column of this kind. */
export function encodeValue(v: unknown, kind: PropKind): string {
  if (kind === 'json') return JSON.stringify(v);
  if (kind === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** The value back from its text (our reader; `kind` comes from the file's own key table). */
export function decodeValue(text: string, kind: PropKind): unknown {
  switch (kind) {
    case 'json':
      return JSON.parse(text);
    case 'boolean':
      return ['true', '1'].includes(text.trim().toLowerCase());
    case 'long':
    case 'double': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`"${text.slice(0, 40)}" is not a number`);
      return n;
    }
    default:
      return text;
  }
}
