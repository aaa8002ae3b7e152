// Shared by the graph-shaped writers: which prop columns a scope needs (typed), and which records hold
// text that a format cannot carry exactly (XML-illegal characters), so the writer adds an exact copy.
import type { Props } from '../model/index.ts';
import { columnOf, PropKinds, type PropKind } from './props-codec.ts';
import type { Scope } from './scope.ts';
import { hasXmlIllegal } from './xml-escape.ts';

export interface Column {
  prop: string;
  column: string;
  kind: PropKind;
}

export interface Columns {
  node: Column[];
  edge: Column[];
}

/** Prop columns for nodes and edges. Keys XML cannot carry are left out (the exact copy carries them). */
export function propColumns(scope: Scope, xml: boolean): Columns {
  const n = new PropKinds();
  const e = new PropKinds();
  for (const x of scope.entities.values()) n.add(x.props);
  for (const x of scope.links.values()) e.add(x.props);
  const cols = (k: PropKinds) => k.kinds().filter(([p]) => !xml || !hasXmlIllegal(p)).map(([prop, kind]) => ({ prop, column: columnOf(prop), kind }));
  return { node: cols(n), edge: cols(e) };
}

/** True when a label, prop key or string value (or search term) holds characters XML cannot carry. */
export function needsExact(label: string | null, props: Props, extra: readonly string[] = []): boolean {
  if (label !== null && hasXmlIllegal(label)) return true;
  for (const [k, v] of Object.entries(props)) {
    if (hasXmlIllegal(k)) return true;
    if (typeof v === 'string' && hasXmlIllegal(v)) return true;
    if (Array.isArray(v) && v.some((x) => typeof x === 'string' && hasXmlIllegal(x))) return true;
  }
  return extra.some(hasXmlIllegal);
}

/** `#2563eb` → { r, g, b } */
export function rgb(hex: string): { r: number; g: number; b: number } {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? { r: parseInt(m[1], 16), g: parseInt(m[2], 16), b: parseInt(m[3], 16) } : { r: 128, g: 128, b: 128 };
}

export type Positions = Readonly<Record<string, { x: number; y: number }>>;
