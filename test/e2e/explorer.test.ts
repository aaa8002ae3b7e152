// The explorer against the real server and the seeded Lima case, driven through headless Chromium:
// overview drawn, details with provenance, search-and-focus, expand (with capped paging), hostile labels
// rendered as text, and no console errors along the way.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Core, NodeSingular } from 'cytoscape';
import type { GraphView, SearchHit } from '../../backend/src/model/schemas.ts';
import { ARTIFACTS, startHarness, waitIdle, waitReady, type Harness } from './harness.ts';

const CASE = 'lima-2023';
const XSS_LABEL = '<img src=x onerror="window.__xss=1">';
const XSS_REPORT = `casegraph: report/1
case: lima-2023
document: { title: "Synthetic XSS probe" }
entities:
  - { ref: probe, type: Person, label: "<img src=x onerror=\\"window.__xss=1\\">", at: "line 1" }
`;

type Win = Window & { __casegraph: { cy: Core; ready: Promise<void> }; __xss?: unknown };

let h: Harness;
let page: Page;

/**
 * Zooms to 1.5, centres the canvas on node `id` and returns a point inside it in page coordinates. The
 * point is a few pixels off the exact centre: cytoscape's point-in-polygon test misses points exactly on
 * the vertical through a polygon vertex (the centre of a star), which a centred node puts under the mouse.
 */
async function centreOn(p: Page, id: string): Promise<{ x: number; y: number }> {
  return p.evaluate((nodeId) => {
    const { cy } = (window as unknown as Win).__casegraph;
    const node = cy.getElementById(nodeId);
    if (node.empty()) throw new Error(`node ${nodeId} is not on the canvas`);
    cy.zoom(1.5);
    cy.center(node);
    const pos = node.renderedPosition();
    const box = cy.container()!.getBoundingClientRect();
    return { x: box.left + pos.x + 2.5, y: box.top + pos.y + 3.5 };
  }, id);
}

async function selectedIds(p: Page): Promise<string[]> {
  return p.evaluate(() => (window as unknown as Win).__casegraph.cy.$(':selected').map((e) => e.id()));
}

async function entityCount(p: Page): Promise<number> {
  return Number(await p.evaluate(() => document.body.dataset.entityCount));
}

/** The title of the details panel, or null when it shows none (does not wait). */
async function detailsTitle(p: Page): Promise<string | null> {
  return p.evaluate(() => document.querySelector('[data-testid="details-title"]')?.textContent ?? null);
}

async function searchId(q: string, label: string): Promise<string> {
  const { hits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=20`);
  const hit = hits.find((x) => x.label === label);
  if (!hit) throw new Error(`API search for ${q} found no "${label}": ${JSON.stringify(hits)}`);
  return hit.id;
}

async function openExplorer(query = ''): Promise<Page> {
  const p = await h.browser.newPage();
  await p.bringToFront();
  await p.goto(`${h.server.url}/?case=${CASE}${query}`);
  await waitReady(p);
  return p;
}

beforeAll(async () => {
  h = await startHarness();
  page = await openExplorer();
});

afterAll(async () => {
  await h?.stop();
});

describe('explorer', () => {
  it('draws the Lima overview with one style per type, a legend and a status bar', async () => {
    const overview = await h.get<GraphView>(`/api/cases/${CASE}/overview?limit=2000`);
    expect(overview.entities.length).toBeGreaterThan(30);

    expect(await entityCount(page)).toBe(overview.entities.length);
    const links = Number(await page.evaluate(() => document.body.dataset.linkCount));
    expect(links).toBe(overview.links.length);
    await expect.poll(() => page.locator('[data-testid="status-bar"]').textContent()).toBe(`${overview.entities.length} entities · ${overview.links.length} links`);
    expect(await page.locator('#case-select').inputValue()).toBe(CASE);

    // the legend lists exactly the entity types present, each with its count
    const types = new Map<string, number>();
    for (const e of overview.entities) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    const legend = await page.locator('[data-testid="legend-entities"] [data-type]').evaluateAll((els) =>
      els.map((el) => [(el as HTMLElement).dataset.type!, Number(el.querySelector('.legend-count')!.textContent)] as [string, number]),
    );
    expect(new Map(legend)).toEqual(types);
    expect(await page.locator('[data-testid="legend-entities"] svg.swatch').count()).toBe(types.size);

    // nodes take colour and shape from the ontology; communication links would scale with count
    const styled = await page.evaluate(() => {
      const { cy } = (window as unknown as Win).__casegraph;
      const person = cy.nodes('.t-Person').first();
      const place = cy.nodes('.t-Place').first();
      return {
        person: [person.style('background-color'), person.style('shape')],
        place: [place.style('background-color'), place.style('shape')],
        edgeLabel: cy.edges().first().style('label'),
      };
    });
    expect(styled.person).toEqual(['rgb(37,99,235)', 'ellipse']);
    expect(styled.place).toEqual(['rgb(249,115,22)', 'triangle']);
    expect(styled.edgeLabel).toMatch(/^[A-Z_]+/);

    // the canvas actually has pixels drawn on it
    const painted = await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      let n = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>('#cy canvas')) {
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
      }
      return n;
    });
    expect(painted).toBeGreaterThan(2000);
  });

  it('clicking the Red Dragon node shows its details and sources', async () => {
    const id = await searchId('Red Dragon', 'Red Dragon');
    const pt = await centreOn(page, id);
    await page.mouse.click(pt.x, pt.y);
    await expect.poll(() => detailsTitle(page)).toBe('Red Dragon');
    await waitIdle(page);
    expect(await selectedIds(page)).toEqual([id]);

    const details = page.locator('[data-testid="details"]');
    expect(await details.getAttribute('data-kind')).toBe('entity');
    const names = await details.locator('[data-testid="source-name"]').allTextContents();
    expect(names.some((n) => n.endsWith('.report.yaml'))).toBe(true);
    const locators = await details.locator('[data-testid="source-locator"]').allTextContents();
    expect(locators.length).toBeGreaterThan(0);
    expect(locators.every((l) => l.trim().length > 0 && l !== '—')).toBe(true);
    const sha = await details.locator('[data-testid="source-sha"]').first().getAttribute('title');
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    // every property of the entity is listed
    const detail = await h.get<{ props: Record<string, unknown>; degree: number }>(`/api/entities/${id}`);
    const keys = await details.locator('[data-testid="details-props"] th').allTextContents();
    expect(keys.sort()).toEqual(Object.keys(detail.props).sort());
    expect(await details.locator('[data-testid="details-summary"]').textContent()).toContain(String(detail.degree));
  });

  it('clicking a link shows its type and endpoints', async () => {
    const link = await page.evaluate(() => {
      const { cy } = (window as unknown as Win).__casegraph;
      const e = cy.edges().first();
      e.emit('tap');
      return { type: e.data('type') as string, from: e.source().data('label') as string, to: e.target().data('label') as string };
    });
    await expect.poll(() => detailsTitle(page)).toBe(link.type);
    const summary = await page.locator('[data-testid="details-summary"]').textContent();
    expect(summary).toContain(link.from);
    expect(summary).toContain(link.to);
  });

  it('search finds Amsterdam, groups hits by type, and focuses the chosen hit', async () => {
    const id = await searchId('Amsterdam', 'Amsterdam');
    // start from a view where Amsterdam is off screen
    await page.evaluate((nodeId) => {
      const { cy } = (window as unknown as Win).__casegraph;
      cy.zoom(2);
      const p = cy.getElementById(nodeId).position();
      cy.pan({ x: -p.x * 2 - 3000, y: -p.y * 2 - 3000 });
    }, id);

    const input = page.locator('[data-testid="search-input"]');
    await input.click();
    await input.pressSequentially('Amsterdam', { delay: 20 });
    const hit = page.locator(`[data-testid="search-results"]:not(.stale) [data-testid="search-hit"][data-id="${id}"]`);
    await hit.waitFor({ state: 'visible' });
    expect(await page.locator('.search-results .hit-group').allTextContents()).toContainEqual(expect.stringContaining('Place'));
    await hit.click();

    await expect.poll(() => detailsTitle(page)).toBe('Amsterdam');
    await waitIdle(page);
    expect(await selectedIds(page)).toEqual([id]);
    const inView = await page.evaluate((nodeId) => {
      const { cy } = (window as unknown as Win).__casegraph;
      const p = cy.getElementById(nodeId).renderedPosition();
      return p.x >= 0 && p.y >= 0 && p.x <= cy.width() && p.y <= cy.height();
    }, id);
    expect(inView).toBe(true);
  });

  it('search with Enter takes the first hit', async () => {
    const id = await searchId('Kuala', 'Kuala Lumpur');
    const input = page.locator('[data-testid="search-input"]');
    await page.mouse.move(5, 5); // a pointer resting over the list would highlight the hit under it
    await input.fill('');
    await input.pressSequentially('Kuala', { delay: 20 });
    const first = page.locator('[data-testid="search-results"]:not(.stale) [data-testid="search-hit"]').first();
    await first.waitFor({ state: 'visible' });
    expect(await first.getAttribute('data-id')).toBe(id);
    await input.press('Enter');
    await expect.poll(() => detailsTitle(page)).toBe('Kuala Lumpur');
    expect(await selectedIds(page)).toEqual([id]);
    expect(await page.locator('[data-testid="search-results"]').isHidden()).toBe(true);
  });

  it('double-clicking a node expands its neighbours without moving the rest', async () => {
    const id = await searchId('Lima', 'Lima');
    const before = await entityCount(page);
    // take the node's neighbours off the canvas so the expansion has something to bring back
    const setup = await page.evaluate((nodeId) => {
      const { cy } = (window as unknown as Win).__casegraph;
      const node = cy.getElementById(nodeId);
      const removed = node.neighborhood().nodes();
      const still = cy.nodes().difference(removed).difference(node).first() as NodeSingular;
      cy.remove(removed);
      return { removed: removed.length, stillId: still.id(), stillPos: { ...still.position() } };
    }, id);
    expect(setup.removed).toBeGreaterThan(0);

    const pt = await centreOn(page, id);
    await page.mouse.dblclick(pt.x, pt.y);
    await expect.poll(() => entityCount(page)).toBe(before);
    await waitIdle(page);
    const after = await page.evaluate((stillId) => ({ ...(window as unknown as Win).__casegraph.cy.getElementById(stillId).position() }), setup.stillId);
    expect(after).toEqual(setup.stillPos);
    expect(await page.locator('[data-testid="status-bar"]').textContent()).toContain(`${before} entities`);

    // a second expansion of the same node brings nothing new, and the count never drops
    await page.mouse.dblclick(pt.x, pt.y);
    await waitIdle(page);
    expect(await entityCount(page)).toBe(before);
  });

  it('a capped expansion says how much it shows and pages with "N more"', async () => {
    const p = await openExplorer('&expandLimit=3');
    try {
      const setup = await p.evaluate(() => {
        const { cy } = (window as unknown as Win).__casegraph;
        const hub = cy.nodes().max((n) => n.degree(false)).ele;
        const neighbours = hub.neighborhood().nodes();
        const total = cy.nodes().length;
        cy.remove(neighbours);
        return { id: hub.id(), degree: neighbours.length, total, after: cy.nodes().length };
      });
      expect(setup.degree).toBeGreaterThan(6);

      const pt = await centreOn(p, setup.id);
      await p.mouse.dblclick(pt.x, pt.y);
      const notice = p.locator('[data-testid="cap-notice"]');
      await notice.waitFor({ state: 'visible' });
      expect(await notice.textContent()).toContain(`showing 3 of ${setup.degree} neighbours (cap 3)`);
      await expect.poll(() => entityCount(p)).toBe(setup.after + 3);

      // page through the rest; the notice goes away when everything is in
      for (let i = 0; i < 20 && (await p.locator('[data-testid="cap-more"]').count()) > 0; i++) {
        expect(await p.locator('[data-testid="cap-more"]').textContent()).toMatch(/^\d+ more$/);
        await p.locator('[data-testid="cap-more"]').click();
        await waitIdle(p);
      }
      await expect.poll(() => entityCount(p)).toBe(setup.total);
    } finally {
      await p.close();
      // a page in the background gets no animation frames (no canvas redraws, screenshots hang)
      await page.bringToFront();
    }
  });

  it('renders a hostile label as literal text', async () => {
    const res = await h.fetch(`/api/imports?name=xss.report.yaml`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: XSS_REPORT,
    });
    const body = (await res.json()) as { status: string; entities: { created: number } };
    expect(res.ok, `import answered ${res.status}: ${JSON.stringify(body)}`).toBe(true);
    expect(body.status).toBe('applied');
    expect(body.entities.created).toBeGreaterThanOrEqual(1);

    const overview = await h.get<GraphView>(`/api/cases/${CASE}/overview?limit=2000`);
    const probe = overview.entities.find((e) => e.label === XSS_LABEL);
    expect(probe, 'the imported probe is in the case overview').toBeDefined();

    await page.goto(`${h.server.url}/?case=${CASE}`);
    await waitReady(page);
    expect(await entityCount(page)).toBe(overview.entities.length);

    // in the typeahead…
    const { hits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=onerror`);
    expect(hits.map((x) => x.id)).toContain(probe!.id);
    const input = page.locator('[data-testid="search-input"]');
    await input.click();
    await input.pressSequentially('onerror', { delay: 20 });
    const hit = page.locator(`[data-testid="search-results"]:not(.stale) [data-testid="search-hit"][data-id="${probe!.id}"]`);
    await hit.waitFor({ state: 'visible' });
    expect(await hit.locator('.hit-label').textContent()).toBe(XSS_LABEL);
    expect(await page.locator('[data-testid="search-results"] img').count()).toBe(0);
    await input.press('Escape');

    // …and in the details panel
    const pt = await centreOn(page, probe!.id);
    await page.mouse.click(pt.x, pt.y);
    await expect.poll(() => detailsTitle(page)).toBe(XSS_LABEL);
    await waitIdle(page);
    expect(await page.locator('[data-testid="details"] img').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as Win).__xss)).toBeUndefined();
    const names = await page.locator('[data-testid="source-name"]').allTextContents();
    expect(names).toContain('xss.report.yaml');
  });

  it('lays out a large case with fcose draft and draws it at the bulk level of detail', async () => {
    // a random tree of 700 people plus 600 extra links: above both the 'default' quality and detail caps
    const n = 700;
    const lines = ['casegraph: report/1', 'case: bulk-probe', 'document: { title: "Synthetic bulk probe" }', 'entities:'];
    for (let i = 0; i < n; i++) lines.push(`  - { ref: p${i}, type: Person, label: "Bulk person ${i}", at: "row ${i}" }`);
    lines.push('links:');
    let seed = 7;
    const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % k);
    for (let i = 1; i < n; i++) lines.push(`  - { type: RELATED_TO, from: p${i}, to: p${rnd(i)}, at: "tree ${i}" }`);
    for (let k = 0; k < 600; k++) {
      const a = rnd(n);
      const b = (a + 1 + rnd(n - 1)) % n;
      lines.push(`  - { type: RELATED_TO, from: p${a}, to: p${b}, at: "extra ${k}" }`);
    }
    const res = await h.fetch(`/api/imports?name=bulk.report.yaml`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: lines.join('\n') + '\n' });
    expect(res.ok, await res.clone().text()).toBe(true);
    const overview = await h.get<GraphView>(`/api/cases/bulk-probe/overview?limit=2000`);
    expect(overview.entities.length).toBeGreaterThan(600);

    // pick the case from the case selector (the list is read at start, so reload first)
    await page.goto(`${h.server.url}/?case=${CASE}`);
    await waitReady(page);
    expect(await page.evaluate(() => document.body.dataset.layout)).toBe('default');
    await page.locator('[data-testid="case-select"]').selectOption('bulk-probe');
    await expect.poll(() => entityCount(page), { timeout: 45_000 }).toBe(overview.entities.length);
    await waitIdle(page);
    expect(page.url()).toContain('case=bulk-probe');
    expect(await page.evaluate(() => [document.body.dataset.layout, document.body.dataset.detail])).toEqual(['draft', 'bulk']);
    const fmt = (x: number) => x.toLocaleString('en');
    expect(await page.locator('[data-testid="status-bar"]').textContent()).toBe(`${fmt(overview.entities.length)} entities · ${fmt(overview.links.length)} links`);

    // back to Lima for the rest
    await page.locator('[data-testid="case-select"]').selectOption(CASE);
    await expect.poll(() => page.evaluate(() => document.body.dataset.detail), { timeout: 30_000 }).toBe('detail');
    await waitIdle(page);
  });

  it('leaves a screenshot of the explorer', async () => {
    await page.goto(`${h.server.url}/?case=${CASE}`);
    await waitReady(page);
    const id = await searchId('Red Dragon', 'Red Dragon');
    const pt = await centreOn(page, id);
    await page.mouse.click(pt.x, pt.y);
    await expect.poll(() => detailsTitle(page)).toBe('Red Dragon');
    await waitIdle(page);
    await page.evaluate(() => {
      (window as unknown as Win).__casegraph.cy.fit(undefined, 40); // (returning cy would serialise it)
    });
    await page.bringToFront();
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png'), timeout: 20_000 });
  });

  it('logged no console errors and no page errors', () => {
    expect(h.browser.errors).toEqual([]);
  });
});
