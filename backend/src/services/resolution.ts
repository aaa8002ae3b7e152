// Analyst merges, applied on read: entities merged into another are shown as that one, with their
// links, sources and notes. Merges live in the annotation log, so undoing one restores the graph as
// the sources state it — nothing the sources asserted is rewritten.
import type { Annotation, GraphView } from '../model/index.ts';
import type { EdgeRef } from '../storage/port.ts';

export interface ActiveMerge {
  annotationId: string;
  keep: string;
  merged: string;
  by: string;
  at: string;
}

export class Resolution {
  private readonly alias = new Map<string, string>();
  private readonly active: ActiveMerge[];

  private constructor(active: ActiveMerge[]) {
    this.active = active;
    for (const m of active) this.alias.set(m.merged, m.keep);
  }

  /** Replays the annotation log: merges in order, minus the ones undone. */
  static fromAnnotations(annotations: Annotation[]): Resolution {
    const undone = new Set(annotations.filter((a) => a.kind === 'unmerge').map((a) => a.targetId));
    const active = annotations
      .filter((a) => a.kind === 'merge' && a.targetId && !undone.has(a.id))
      .map((a) => ({ annotationId: a.id, keep: a.entityId, merged: a.targetId!, by: a.by, at: a.at }));
    return new Resolution(active);
  }

  get empty(): boolean {
    return this.active.length === 0;
  }

  merges(): ActiveMerge[] {
    return [...this.active];
  }

  /** The same log with only the merges `keep` accepts (e.g. those a user may see both ends of). */
  only(keep: (m: ActiveMerge) => boolean): Resolution {
    return new Resolution(this.active.filter(keep));
  }

  canon(id: string): string {
    let cur = id;
    for (let i = 0; i < 1000 && this.alias.has(cur); i++) cur = this.alias.get(cur)!;
    return cur;
  }

  /** Every id that resolves to `id` (itself included). */
  members(id: string): string[] {
    const c = this.canon(id);
    return [c, ...[...this.alias.keys()].filter((m) => m !== c && this.canon(m) === c)];
  }

  /** The merges that made `id` what it is (directly or through a chain). */
  mergesInto(id: string): ActiveMerge[] {
    const c = this.canon(id);
    return this.active.filter((m) => this.canon(m.keep) === c);
  }

  expand(ids: string[]): string[] {
    if (this.empty) return ids;
    return [...new Set(ids.flatMap((id) => this.members(id)))];
  }

  mapEdges(edges: EdgeRef[]): EdgeRef[] {
    if (this.empty) return edges;
    return edges.map((e) => ({ ...e, from: this.canon(e.from), to: this.canon(e.to) })).filter((e) => e.from !== e.to);
  }

  /** Rewrites a view onto canonical entities; `missing` are canonical ids the view lacks (fetch and add them). */
  mapView(view: GraphView): { view: GraphView; missing: string[] } {
    if (this.empty) return { view, missing: [] };
    const present = new Set(view.entities.map((e) => e.id));
    const missing = new Set<string>();
    const entities = view.entities.filter((e) => {
      const c = this.canon(e.id);
      if (c === e.id) return true;
      if (!present.has(c)) missing.add(c);
      return false;
    });
    const links = view.links.map((l) => ({ ...l, from: this.canon(l.from), to: this.canon(l.to) })).filter((l) => l.from !== l.to);
    return { view: { ...view, entities, links }, missing: [...missing] };
  }
}
