// A graph view in a compact shape, for the explorer's canvas (`?shape=compact` on the view routes).
//
// A 2-hop view holds ~500 entities and ~4,000 links; as objects, the links are most of its ~900 KB of
// JSON, and every byte is serialised, sent and parsed again. Here a link is a row (an array): its type an
// index into `linkTypes`, its ends indexes into `entities` (or the id itself, for an end outside the view),
// absent aggregates null. About half the bytes, and arrays parse faster than keyed objects. The plain
// shape stays the default for scripts and other tools; `expandView` turns one into the other exactly.
// Pure and free of zod: the browser bundle decodes with it (its schema is in api/graph.routes.ts).
import type { LinkType } from './ontology.ts';
import type { GraphView, Props, WireGraphView, WireLinkView } from './schemas.ts';

export const COMPACT_SHAPE = 'compact-1' as const;

/** [id, type index, from, to, count, durationS, firstAt, lastAt, props (only when the link has any)] */
export type CompactLink = [string, number, number | string, number | string, number | null, number | null, string | null, string | null, Props?];

export interface CompactGraphView extends Omit<GraphView, 'links'> {
  shape: typeof COMPACT_SHAPE;
  linkTypes: LinkType[];
  links: CompactLink[];
}

/** Rows of a view; a link's props travel only when it has any (the store's view or the wire view alike). */
export function compactView(view: GraphView | WireGraphView): CompactGraphView {
  const at = new Map<string, number>();
  view.entities.forEach((e, i) => at.set(e.id, i));
  const typeAt = new Map<LinkType, number>();
  const linkTypes: LinkType[] = [];
  const links = view.links.map((l): CompactLink => {
    let t = typeAt.get(l.type);
    if (t === undefined) typeAt.set(l.type, (t = linkTypes.push(l.type) - 1));
    const row: CompactLink = [l.id, t, at.get(l.from) ?? l.from, at.get(l.to) ?? l.to, l.count ?? null, l.durationS ?? null, l.firstAt ?? null, l.lastAt ?? null];
    if (l.props !== undefined) for (const _key in l.props) {
      row.push(l.props);
      break;
    }
    return row;
  });
  const { links: _plain, ...rest } = view;
  return { ...rest, shape: COMPACT_SHAPE, linkTypes, links };
}

export function expandView(c: CompactGraphView): WireGraphView {
  const end = (v: number | string) => (typeof v === 'number' ? c.entities[v].id : v);
  const links = c.links.map(([id, t, from, to, count, durationS, firstAt, lastAt, props]): WireLinkView => {
    const l: WireLinkView = { id, type: c.linkTypes[t], from: end(from), to: end(to) };
    if (props !== undefined) l.props = props;
    if (count !== null) l.count = count;
    if (durationS !== null) l.durationS = durationS;
    if (firstAt !== null) l.firstAt = firstAt;
    if (lastAt !== null) l.lastAt = lastAt;
    return l;
  });
  const { shape: _shape, linkTypes: _types, links: _rows, ...rest } = c;
  return { ...rest, links };
}
