// The map and key-players panels against the real server and the seeded Lima case, in headless Chromium:
// places and the Kuala Lumpur → Amsterdam → Lima route on an offline world map (no request leaves the
// origin), dot ↔ graph selection, the no-coordinates hint; centrality ranking, sizing, community colours,
// bridges and the whole-case server job with its progress. No console errors along the way.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Core } from 'cytoscape';
import { ARTIFACTS, startHarness, waitIdle, waitReady, type Harness } from './harness.ts';

const CASE = 'lima-2023';

type Win = Window & { __casegraph: { cy: Core } };

let h: Harness;
let page: Page;
/** every URL the page requested */
const requested: string[] = [];

/** The id of the canvas node labelled `label` (of type `type`). */
async function nodeId(p: Page, label: string, type = 'Place'): Promise<string> {
  const id = await p.evaluate(
    ([l, t]) => (window as unknown as Win).__casegraph.cy.nodes().filter((n) => n.data('label') === l && n.data('type') === t).map((n) => n.id())[0] ?? null,
    [label, type] as const,
  );
  if (!id) throw new Error(`no ${type} "${label}" on the canvas`);
  return id;
}

async function selectedIds(p: Page): Promise<string[]> {
  return p.evaluate(() => (window as unknown as Win).__casegraph.cy.$('node:selected').map((e) => e.id()));
}

/** Centre of a map dot in page coordinates (from its transform inside the SVG). */
async function dotCentre(p: Page, id: string): Promise<{ x: number; y: number }> {
  return p.locator(`[data-testid="map-place"][data-id="${id}"] .map-dot`).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
}

/** Distinct-neighbour degree of every visible node, as the key-players computation counts it. */
async function visibleDegrees(p: Page): Promise<Record<string, number>> {
  return p.evaluate(() => {
    const { cy } = (window as unknown as Win).__casegraph;
    const visible = cy.nodes().filter((n) => !n.hasClass('hidden') && !n.hasClass('type-hidden'));
    const ids = new Set(visible.map((n) => n.id()));
    const out: Record<string, number> = {};
    visible.forEach((n) => {
      const nbrs = new Set<string>();
      n.connectedEdges()
        .filter((e) => !e.hasClass('hidden') && !e.hasClass('link-hidden'))
        .forEach((e) => {
          const other = e.source().id() === n.id() ? e.target().id() : e.source().id();
          if (other !== n.id() && ids.has(other)) nbrs.add(other);
        });
      out[n.id()] = nbrs.size;
    });
    return out;
  });
}

async function widths(p: Page, ids: string[]): Promise<number[]> {
  return p.evaluate((list) => list.map((id) => (window as unknown as Win).__casegraph.cy.getElementById(id).width()), ids);
}

beforeAll(async () => {
  h = await startHarness();
  page = await h.browser.newPage();
  page.on('request', (req) => requested.push(req.url()));
  // a page in the background gets no animation frames (the map redraws on one)
  await page.bringToFront();
  await page.goto(`${h.server.url}/?case=${CASE}`);
  await waitReady(page);
});

afterAll(async () => {
  await h?.stop();
});

describe('map', () => {
  it('draws the Lima places and the route Kuala Lumpur → Amsterdam → Lima in leg order, offline', async () => {
    const [kl, ams, lima] = [await nodeId(page, 'Kuala Lumpur'), await nodeId(page, 'Amsterdam'), await nodeId(page, 'Lima')];
    await page.keyboard.press('m');
    await expect.poll(() => page.locator('[data-testid="map-panel"]').isVisible()).toBe(true);
    await page.locator('[data-testid="map-toggle"]').click();
    await expect.poll(() => page.locator('[data-testid="map-panel"]').isVisible()).toBe(false);
    await page.locator('[data-testid="map-toggle"]').click();
    expect(await page.locator('[data-testid="map-toggle"]').getAttribute('aria-pressed')).toBe('true');
    for (const id of [kl, ams, lima]) await expect.poll(() => page.locator(`[data-testid="map-place"][data-id="${id}"]`).count()).toBe(1);

    // every entity on the canvas with coordinates has a dot, and only those
    const located = await page.evaluate(() =>
      (window as unknown as Win).__casegraph.cy
        .nodes()
        .filter((n) => typeof n.data('props')?.lat === 'number' && typeof n.data('props')?.lon === 'number')
        .map((n) => n.id())
        .sort(),
    );
    expect(located.length).toBeGreaterThanOrEqual(9);
    const dots = await page.locator('[data-testid="map-place"]').evaluateAll((els) => els.map((e) => (e as SVGElement).dataset.id!).sort());
    expect(dots).toEqual(located);

    // the world outline is drawn from the bundled atlas
    expect(((await page.locator('.map-land').getAttribute('d')) ?? '').length).toBeGreaterThan(5000);

    // geography: Kuala Lumpur east of Amsterdam east of Lima; Amsterdam north of Kuala Lumpur north of Lima
    const [pk, pa, pl] = [await dotCentre(page, kl), await dotCentre(page, ams), await dotCentre(page, lima)];
    expect(pk.x).toBeGreaterThan(pa.x);
    expect(pa.x).toBeGreaterThan(pl.x);
    expect(pa.y).toBeLessThan(pk.y);
    expect(pk.y).toBeLessThan(pl.y);

    // the two legs, chained into one journey in order, each an arrow from its origin's dot to its destination's
    const routes = await page.locator('[data-testid="map-route"]').evaluateAll((els) =>
      els.map((e) => {
        const path = e as SVGPathElement;
        const svg = path.ownerSVGElement!.getBoundingClientRect();
        const len = path.getTotalLength();
        const [a, b] = [path.getPointAtLength(0), path.getPointAtLength(len)];
        return {
          from: path.dataset.from,
          to: path.dataset.to,
          journey: path.dataset.journey,
          order: Number(path.dataset.order),
          marker: path.getAttribute('marker-end'),
          start: { x: svg.left + a.x, y: svg.top + a.y },
          end: { x: svg.left + b.x, y: svg.top + b.y },
        };
      }),
    );
    const leg1 = routes.find((r) => r.from === kl && r.to === ams);
    const leg2 = routes.find((r) => r.from === ams && r.to === lima);
    expect(leg1).toBeDefined();
    expect(leg2).toBeDefined();
    expect(leg1!.journey).toBe(leg2!.journey);
    expect([leg1!.order, leg2!.order]).toEqual([1, 2]);
    for (const r of [leg1!, leg2!]) expect(r.marker).toMatch(/^url\(#map-arrow/);
    const near = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);
    expect(near(leg1!.start, pk)).toBeLessThan(15);
    expect(near(leg1!.end, pa)).toBeLessThan(15);
    expect(near(leg2!.start, pa)).toBeLessThan(15);
    expect(near(leg2!.end, pl)).toBeLessThan(15);
    expect(await page.locator('[data-testid="map-journey"]').first().textContent()).toBe('Kuala Lumpur → Amsterdam → Lima');

    await page.screenshot({ path: join(ARTIFACTS, 'map.png') });
  });

  it('selects the entity of a clicked dot, and highlights the dot of a graph selection', async () => {
    const [ams, lima] = [await nodeId(page, 'Amsterdam'), await nodeId(page, 'Lima')];
    await page.locator(`[data-testid="map-place"][data-id="${ams}"]`).click();
    await expect.poll(() => selectedIds(page)).toEqual([ams]);
    await expect.poll(() => page.locator(`[data-testid="map-place"][data-id="${ams}"]`).getAttribute('data-selected')).toBe('true');
    // the graph centred on it, in the part of the canvas right of the map panel
    const offCentre = () =>
      page.evaluate((id) => {
        const { cy } = (window as unknown as Win).__casegraph;
        const p = cy.getElementById(id).renderedPosition();
        const box = cy.container()!.getBoundingClientRect();
        const panel = document.querySelector('[data-testid="map-panel"]')!.getBoundingClientRect();
        // cytoscape centres the node with its label below it: a few pixels above the middle
        return { x: Math.abs(box.left + p.x - (panel.right + box.right) / 2) <= 2, y: Math.abs(p.y - cy.height() / 2) < 20 };
      }, ams);
    await expect.poll(offCentre).toEqual({ x: true, y: true });

    await page.evaluate((id) => {
      const { cy } = (window as unknown as Win).__casegraph;
      cy.$(':selected').unselect();
      cy.getElementById(id).select();
    }, lima);
    await expect.poll(() => page.locator(`[data-testid="map-place"][data-id="${lima}"]`).getAttribute('data-selected')).toBe('true');
    expect(await page.locator(`[data-testid="map-place"][data-id="${ams}"]`).getAttribute('data-selected')).toBe('false');
  });

  it('zooms to the places, or shows the whole world', async () => {
    const sphereWidth = () => page.locator('.map-sphere').evaluate((el) => (el as SVGGraphicsElement).getBBox().width);
    const frameWidth = await page.locator('.map-svg').evaluate((el) => el.getBoundingClientRect().width);
    const fitted = await sphereWidth();
    await page.locator('[data-testid="map-world"]').click();
    await expect.poll(sphereWidth).toBeLessThanOrEqual(frameWidth);
    const world = await sphereWidth();
    expect(world).toBeLessThan(fitted);
    await page.locator('[data-testid="map-fit"]').click();
    await expect.poll(sphereWidth).toBeCloseTo(fitted, 0);
  });

  it('says so when no place on the canvas has coordinates', async () => {
    const legendType = (t: string) => page.locator(`[data-testid="legend-entities"] button[data-type="${t}"]`);
    await legendType('Place').click();
    await legendType('Address').click();
    await expect.poll(() => page.locator('[data-testid="map-place"]').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="map-hint"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="map-route"]').count()).toBe(0);

    // the case's places can still be drawn (hollow: not on the canvas) from the overview
    await page.locator('[data-testid="map-all"]').check();
    await expect.poll(() => page.locator('[data-testid="map-place"].case-only').count()).toBeGreaterThanOrEqual(9);
    await expect.poll(() => page.locator('[data-testid="map-route"].case-only').count()).toBe(2);
    await page.locator('[data-testid="map-all"]').uncheck();

    await legendType('Place').click();
    await legendType('Address').click();
    await expect.poll(() => page.locator('[data-testid="map-place"]').count()).toBeGreaterThanOrEqual(9);
    await expect.poll(() => page.locator('[data-testid="map-hint"]').isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="map-close"]').click();
    await expect.poll(() => page.locator('[data-testid="map-panel"]').isVisible()).toBe(false);
  });
});

describe('key players', () => {
  it('ranks the visible graph by degree like a count in the page', async () => {
    await waitIdle(page);
    await page.locator('[data-testid="key-players-toggle"]').click();
    await expect.poll(() => page.locator('[data-testid="key-player"]').count()).toBeGreaterThan(5);
    const degrees = await visibleDegrees(page);
    const max = Math.max(...Object.values(degrees));
    const first = page.locator('[data-testid="key-player"]').first();
    const firstId = (await first.getAttribute('data-id'))!;
    expect(degrees[firstId]).toBe(max);
    expect(Number(await first.getAttribute('data-score'))).toBe(max);
    // the list is in non-increasing order of the measure, at most 25 entries
    const scores = await page.locator('[data-testid="key-player"]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.score)));
    expect(scores.length).toBe(Math.min(25, Object.keys(degrees).length));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
    for (const el of await page.locator('[data-testid="key-player"]').all()) expect(Number(await el.getAttribute('data-score'))).toBe(degrees[(await el.getAttribute('data-id'))!]);

    // a click selects and centres the entity
    await page.locator('[data-testid="key-player"]').nth(1).locator('button').click();
    await expect.poll(() => selectedIds(page)).toEqual([(await page.locator('[data-testid="key-player"]').nth(1).getAttribute('data-id'))!]);
  });

  it('sizes nodes by betweenness (bigger for a higher score), colours communities, marks bridges, resets', async () => {
    const ids = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().map((n) => n.id()));
    const before = await widths(page, ids);
    await page.locator('[data-testid="kp-size-by"]').selectOption('betweenness');
    // ranking follows the size measure
    await expect.poll(() => page.locator('[data-testid="kp-rank-by"]').inputValue()).toBe('betweenness');
    const entries = await page.locator('[data-testid="key-player"]').evaluateAll((els) => els.map((e) => ({ id: (e as HTMLElement).dataset.id!, score: Number((e as HTMLElement).dataset.score) })));
    expect(entries[0].score).toBeGreaterThan(0);
    const sized = await widths(
      page,
      entries.map((e) => e.id),
    );
    for (let i = 1; i < entries.length; i++) {
      if (entries[i].score < entries[i - 1].score - 1e-9) expect(sized[i]).toBeLessThan(sized[i - 1]);
    }
    // the top node is bigger than a node with no betweenness (a leaf)
    const zero = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().filter((n) => n.degree(false) === 1).map((n) => n.id())[0]);
    const [top, leaf] = await widths(page, [entries[0].id, zero]);
    expect(top).toBeGreaterThan(leaf + 20);
    expect(await widths(page, ids)).not.toEqual(before);

    // communities: a coloured border per community, at least two colours; type fill and shape stay
    const fillBefore = await page.evaluate((id) => (window as unknown as Win).__casegraph.cy.getElementById(id).style('background-color'), entries[0].id);
    await page.locator('[data-testid="kp-communities"]').check();
    const borders = await page.evaluate(() => {
      const { cy } = (window as unknown as Win).__casegraph;
      return cy.nodes().filter((n) => !n.selected()).map((n) => String(n.style('border-color')));
    });
    expect(new Set(borders).size).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate((id) => (window as unknown as Win).__casegraph.cy.getElementById(id).style('background-color'), entries[0].id)).toBe(fillBefore);
    expect(await page.locator('[data-testid="kp-community-legend"] .kp-legend-item').count()).toBeGreaterThanOrEqual(2);

    // bridges: the same entities carry the class on the canvas and the mark in the list
    const bridgesInList = await page.locator('[data-testid="key-player"][data-bridge="true"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
    const bridgeClass = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes('.bridge').map((n) => n.id()));
    expect(bridgeClass.length).toBeGreaterThan(0);
    for (const id of bridgesInList) expect(bridgeClass).toContain(id);
    const style = await page.evaluate((id) => (window as unknown as Win).__casegraph.cy.getElementById(id).style('border-style'), bridgeClass[0]);
    expect(style).toBe('double');

    // the whole picture for the screenshot: nothing selected, everything in view
    await page.evaluate(() => {
      (window as unknown as Win).__casegraph.cy.$(':selected').unselect(); // (returning the collection would serialise cy)
    });
    await page.evaluate(() => {
      // the whole graph in the part of the canvas left of the panel
      const { cy } = (window as unknown as Win).__casegraph;
      const box = cy.container()!.getBoundingClientRect();
      const free = document.querySelector('[data-testid="key-players-panel"]')!.getBoundingClientRect().left - box.left;
      const bb = cy.elements().boundingBox();
      const zoom = Math.min((free - 40) / bb.w, (box.height - 60) / bb.h);
      cy.viewport({ zoom, pan: { x: (free - bb.w * zoom) / 2 - bb.x1 * zoom, y: (box.height - bb.h * zoom) / 2 - bb.y1 * zoom } });
    });
    await page.screenshot({ path: join(ARTIFACTS, 'key-players.png') });

    await page.locator('[data-testid="kp-reset"]').click();
    await expect.poll(() => widths(page, ids)).toEqual(before);
    expect(await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes('.kp-sized, .kp-community, .bridge').length)).toBe(0);
    expect(await page.locator('[data-testid="kp-size-by"]').inputValue()).toBe('none');
  });

  it('runs the whole case on the server with a progress display and lists the result', async () => {
    await page.locator('[data-testid="kp-rank-by"]').selectOption('degree');
    await page.locator('[data-testid="kp-server"]').click();
    await expect.poll(() => page.evaluate(() => document.body.dataset.keyPlayers), { timeout: 60_000 }).toBe('case');
    const progress = page.locator('[data-testid="kp-progress"]');
    expect(await progress.isVisible()).toBe(true);
    expect(await progress.evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max])).toEqual([1, 1]);
    expect(await page.locator('[data-testid="kp-status"]').textContent()).toMatch(/^Whole case lima-2023: \d+ entities/);
    expect(await page.locator('[data-testid="key-players-panel"]').getAttribute('data-source')).toBe('case');
    // the overview holds the whole (small) case, so the server's top degree matches the page's count
    const degrees = await visibleDegrees(page);
    const first = page.locator('[data-testid="key-player"]').first();
    expect(Number(await first.getAttribute('data-score'))).toBe(Math.max(...Object.values(degrees)));
    expect(await page.locator('[data-testid="key-player"]').count()).toBe(25);
  });

  it('shares the right edge with Paths: opening one closes the other', async () => {
    const kp = page.locator('[data-testid="key-players-panel"]');
    const pathsPanel = page.locator('#paths-panel');
    expect(await kp.isVisible()).toBe(true);
    await page.locator('[data-testid="paths"]').click();
    await expect.poll(() => pathsPanel.isVisible()).toBe(true);
    await expect.poll(() => kp.isVisible()).toBe(false);
    await page.locator('[data-testid="key-players-toggle"]').click();
    await expect.poll(() => kp.isVisible()).toBe(true);
    await expect.poll(() => pathsPanel.isVisible()).toBe(false);
  });
});

describe('the page', () => {
  it('made no request outside its origin and logged no error', async () => {
    const origin = new URL(h.server.url).origin;
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    expect(h.browser.errors).toEqual([]);
  });
});
