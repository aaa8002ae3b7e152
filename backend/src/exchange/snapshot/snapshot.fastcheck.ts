// Hand-written checks for snapshot records, used on the hot path of opening large snapshots (zod is
// several times slower per record). They accept exactly what the zod schemas in snapshot.schema.ts
// accept (a property test holds them to it); on a rejection the zod schema produces the message.
import { ENTITY_TYPES, LINK_TYPES } from '../../model/index.ts';

const ENTITY = new Set<string>(ENTITY_TYPES);
const LINK = new Set<string>(LINK_TYPES);

const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 200;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(x: unknown): boolean {
  const t = typeof x;
  return t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(x as number));
}

export function isProps(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const k in v) {
    const x = v[k];
    if (x === null || isScalar(x)) continue;
    if (!Array.isArray(x)) return false;
    for (let i = 0; i < x.length; i++) if (!isScalar(x[i])) return false;
  }
  return true;
}

function isStrings(v: unknown, maxItems: number, maxLen: number): boolean {
  if (!Array.isArray(v) || v.length > maxItems) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || (v[i] as string).length > maxLen) return false;
  return true;
}

/** Same acceptance as SnapEntity. */
export function isSnapEntity(v: unknown): boolean {
  if (!isObject(v)) return false;
  return isId(v.id) && typeof v.type === 'string' && ENTITY.has(v.type) && isStr(v.label, 500) && isProps(v.props)
    && isStrings(v.search, 10_000, 1000) && isStrings(v.locators, 1000, 500);
}

/** Same acceptance as SnapLink. */
export function isSnapLink(v: unknown): boolean {
  if (!isObject(v)) return false;
  return isId(v.id) && typeof v.type === 'string' && LINK.has(v.type) && isId(v.from) && isId(v.to) && isProps(v.props) && isStrings(v.locators, 1000, 500);
}

/** Same acceptance as SnapEvent. */
export function isSnapEvent(v: unknown): boolean {
  if (!isObject(v)) return false;
  const d = v.durationS;
  return isId(v.id) && isStr(v.kind, 40) && isId(v.linkId) && isId(v.from) && isId(v.to) && isStr(v.at, 40)
    && (d === null || (typeof d === 'number' && Number.isFinite(d) && d >= 0)) && typeof v.deleted === 'boolean'
    && isStr(v.original, 200) && isProps(v.props) && isStr(v.locator, 500);
}
