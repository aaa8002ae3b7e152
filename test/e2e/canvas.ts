// Helpers for driving the explorer's canvas in e2e tests: find an entity by search, put it under the
// mouse, click it (with Shift to add to the selection), read what is on the canvas.
import type { Page } from 'playwright-core';
import type { Core } from 'cytoscape';
import type { SearchHit } from '../../backend/src/model/schemas.ts';
import { waitIdle, type Harness } from './harness.ts';

export type Win = Window & {
  __casegraph: {
    cy: Core;
    ready: Promise<void>;
    actions: { expand(id: string): Promise<void>; undo(): void; redo(): void; saveView(): Promise<void> };
  };
};

/** The id of the search hit labelled `label` for query `q` (via the API). */
export async function searchId(h: Harness, q: string, label: string): Promise<string> {
  const { hits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=20`);
  const hit = hits.find((x) => x.label === label);
  if (!hit) throw new Error(`API search for ${q} found no "${label}": ${JSON.stringify(hits)}`);
  return hit.id;
}

/**
 * Zooms to `zoom`, centres the canvas on node `id` and returns a point inside it in page coordinates (a
 * few pixels off centre: cytoscape's polygon hit test misses points exactly below a vertex).
 */
export async function centreOn(p: Page, id: string, zoom = 1.5): Promise<{ x: number; y: number }> {
  return p.evaluate(
    ({ nodeId, z }) => {
      const { cy } = (window as unknown as Win).__casegraph;
      const node = cy.getElementById(nodeId);
      if (node.empty()) throw new Error(`node ${nodeId} is not on the canvas`);
      cy.zoom(z);
      cy.center(node);
      const pos = node.renderedPosition();
      const box = cy.container()!.getBoundingClientRect();
      return { x: box.left + pos.x + 2.5, y: box.top + pos.y + 3.5 };
    },
    { nodeId: id, z: zoom },
  );
}

/** Where node `id` is drawn now, in page coordinates (no camera move). */
export async function pointOf(p: Page, id: string): Promise<{ x: number; y: number }> {
  return p.evaluate((nodeId) => {
    const { cy } = (window as unknown as Win).__casegraph;
    const pos = cy.getElementById(nodeId).renderedPosition();
    const box = cy.container()!.getBoundingClientRect();
    return { x: box.left + pos.x + 2.5, y: box.top + pos.y + 3.5 };
  }, id);
}

/** Clicks node `id` with the real mouse (centring it first); `shift` adds it to the selection. */
export async function clickNode(p: Page, id: string, opts: { shift?: boolean; button?: 'left' | 'right'; zoom?: number } = {}): Promise<{ x: number; y: number }> {
  const pt = await centreOn(p, id, opts.zoom);
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  if (opts.shift) await p.keyboard.down('Shift');
  await p.mouse.click(pt.x, pt.y, { button: opts.button ?? 'left' });
  if (opts.shift) await p.keyboard.up('Shift');
  return pt;
}

export async function selectedIds(p: Page): Promise<string[]> {
  return p.evaluate(() => (window as unknown as Win).__casegraph.cy.$(':selected').map((e) => e.id()));
}

export async function entityCount(p: Page): Promise<number> {
  return Number(await p.evaluate(() => document.body.dataset.entityCount));
}

/** The title of the details panel, or null when it shows none (does not wait). */
export async function detailsTitle(p: Page): Promise<string | null> {
  return p.evaluate(() => document.querySelector('[data-testid="details-title"]')?.textContent ?? null);
}

export async function nodeIds(p: Page): Promise<string[]> {
  return p.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().map((n) => n.id()).sort());
}

export async function positions(p: Page): Promise<Record<string, { x: number; y: number }>> {
  return p.evaluate(() => Object.fromEntries((window as unknown as Win).__casegraph.cy.nodes().map((n) => [n.id(), { ...n.position() }])));
}

/** Ids of the elements of `ids` that are drawn (not display:none). */
export async function visibleOf(p: Page, ids: string[]): Promise<string[]> {
  return p.evaluate((list) => {
    const { cy } = (window as unknown as Win).__casegraph;
    return list.filter((id) => cy.getElementById(id).visible());
  }, ids);
}

/** Removes node `id`'s neighbours from the canvas (so an expansion has something to bring back). */
export async function dropNeighbours(p: Page, id: string): Promise<number> {
  return p.evaluate((nodeId) => {
    const { cy } = (window as unknown as Win).__casegraph;
    const removed = cy.getElementById(nodeId).neighborhood().nodes();
    cy.remove(removed);
    return removed.length;
  }, id);
}

/** Waits until the explorer wrote the current view into the URL. */
export async function waitViewSaved(p: Page): Promise<void> {
  await p.evaluate(() => (window as unknown as Win).__casegraph.actions.saveView());
  await p.waitForFunction(() => document.body.dataset.view === 'saved');
  await waitIdle(p);
}
