// The timeline drawer and Compare periods against the real server (Lima seed plus a small SYNTHETIC CDR
// imported here) in headless Chromium: the histogram's bars add up to the API's total; a brush cuts the
// canvas's communication links to the window with the counts /api/activity gives; clearing and closing put
// the full aggregates back; playback moves the window; comparing the 30 days before and after the raid
// marks the number that went quiet and the one that took over its contacts, and a sentence selects both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ActivityResponse, DiffResult, Timeline } from '../../backend/src/analysis/analysis.schema.ts';
import { SYNTHETIC_CDR_HEADER, syntheticCdrMapping } from '../../seed/generators/network.ts';
import { ARTIFACTS, startHarness, waitIdle, waitReady, type Harness } from './harness.ts';
import { searchId, selectedIds, type Win } from './canvas.ts';

const CASE = 'lima-2023';
/** SYNTHETIC numbers: X calls four Taiwanese lines before the raid (2023-10-07) and goes silent; Y calls the same lines after it */
const X = '+51987000101';
const Y = '+51987000202';
const COUNTERPARTS = ['+886912000001', '+886912000002', '+886912000003', '+886912000004'];

/**
 * A SYNTHETIC CDR in the generator's layout (SYNTHETIC_CDR_HEADER, read by syntheticCdrMapping: `;`,
 * DD/MM/YYYY, Lima local time): 24 calls and 4 SMS from X between 10 Sep and 3 Oct 2023, the same from Y
 * between 10 Oct and 2 Nov 2023, to the same four counterparts.
 */
function syntheticTakeoverCdr(): string {
  const rows: string[] = [SYNTHETIC_CDR_HEADER.join(';')];
  const day = (start: number, i: number) => {
    const d = new Date(start + i * 86_400_000);
    return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
  };
  for (const [from, start] of [[X, Date.UTC(2023, 8, 10)], [Y, Date.UTC(2023, 9, 10)]] as const) {
    for (let i = 0; i < 24; i++) {
      rows.push([from, COUNTERPARTS[i % 4], day(start, i), `10:${String(i).padStart(2, '0')}:00`, String(60 + i), 'MO', '', '', '', ''].join(';'));
    }
    for (let i = 0; i < 4; i++) rows.push([from, COUNTERPARTS[i], day(start, 2 * i + 1), '18:30:00', '0', 'SMS-MO', '', '', '', ''].join(';'));
  }
  return rows.join('\n') + '\n';
}

let h: Harness;
let page: Page;
let xId: string;
let yId: string;

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await h.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Communication edges on the canvas: id → count and whether the window faded it. */
async function commEdges(): Promise<Map<string, { count: number; out: boolean }>> {
  const rows = await page.evaluate(() =>
    (window as unknown as Win).__casegraph.cy
      .edges()
      .filter((e) => e.data('communication') === true)
      .map((e) => [e.id(), { count: e.data('count') as number, out: e.hasClass('out-of-window') }] as const),
  );
  return new Map(rows);
}

const drawer = () => page.locator('[data-testid="timeline-panel"]');
const data = (attr: string) => drawer().evaluate((el, a) => (el as HTMLElement).dataset[a] ?? null, attr);

beforeAll(async () => {
  h = await startHarness();
  // the synthetic CDR goes in through the API with a saved mapping, as an investigator's import would
  const mapping = await h.fetch(`/api/mappings/synthetic-takeover`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(syntheticCdrMapping()) });
  expect(mapping.status).toBe(200);
  const imported = await h.fetch(`/api/imports?name=synthetic-takeover.csv&case=${CASE}&mapping=synthetic-takeover`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: syntheticTakeoverCdr(),
  });
  expect(imported.status, await imported.clone().text()).toBe(201);
  xId = await searchId(h, X.slice(1), X);
  yId = await searchId(h, Y.slice(1), Y);
  page = await h.browser.newPage();
  await page.goto(`${h.server.url}/?case=${CASE}`);
  await waitReady(page);
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('timeline drawer', () => {
  let original: Map<string, { count: number; out: boolean }>;

  it('draws bars whose events add up to the API total, with the raid as a marker', async () => {
    original = await commEdges();
    expect(original.get([...original.keys()][0])!.out).toBe(false);
    await page.locator('[data-testid="timeline-toggle"]').click();
    await expect.poll(() => data('state')).toBe('ready');
    await waitIdle(page);
    const bucket = await drawer().locator('svg.tl-svg').getAttribute('data-bucket');
    // Jan–Nov 2023 of seed and synthetic events: weeks are the readable size
    expect(bucket).toBe('week');
    const ids = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes(':visible').map((n) => n.id()));
    const api = await post<Timeline>('/api/timeline', { scope: { ids }, bucket });
    expect(api.total).toBeGreaterThan(56); // at least the synthetic 56 events
    const bars = await drawer().locator('[data-testid="timeline-bar"]').evaluateAll((els) => els.map((e) => Number((e as SVGElement).dataset.total)));
    expect(bars.length).toBe(api.buckets.length);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(api.buckets.reduce((a, b) => a + b.calls + b.messages + b.other, 0));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(api.total);
    const markers = await drawer().locator('[data-testid="timeline-marker"] title').allTextContents();
    expect(markers.some((t) => /raid/i.test(t) && t.includes('2023-10-07'))).toBe(true);
    expect(await page.locator('[data-testid="timeline-window"]').textContent()).toMatch(/^All time: .* · [\d,]+ events/);
  });

  it('a brush over X’s weeks shows only that window’s links, with /api/activity’s counts', async () => {
    // the bars of the weeks starting 11 Sep … 25 Sep 2023 (X active, Y not yet)
    const box = await page.evaluate(() => {
      const bars = [...document.querySelectorAll<SVGGElement>('[data-testid="timeline-bar"]')].filter((b) => {
        const t = Date.parse(b.dataset.start!);
        return t >= Date.parse('2023-09-11T00:00:00Z') && t <= Date.parse('2023-09-25T00:00:00Z');
      });
      const first = bars[0].getBoundingClientRect();
      const last = bars.at(-1)!.getBoundingClientRect();
      const overlay = document.querySelector('[data-testid="timeline-overlay"]')!.getBoundingClientRect();
      return { x0: first.left + 1, x1: last.right - 1, y: overlay.top + overlay.height / 2 };
    });
    await page.mouse.move(box.x0, box.y);
    await page.mouse.down();
    await page.mouse.move((box.x0 + box.x1) / 2, box.y, { steps: 4 });
    await page.mouse.move(box.x1, box.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => data('window')).toBe('2023-09-11T00:00:00.000Z/2023-10-02T00:00:00.000Z');
    await expect.poll(() => data('applied')).toBe('2023-09-11T00:00:00.000Z/2023-10-02T00:00:00.000Z');
    await expect(page.locator('[data-testid="timeline-brush"]').count()).resolves.toBe(1);
    expect(await page.locator('[data-testid="timeline-window"]').textContent()).toMatch(/^11 Sep 2023 – 1 Oct 2023 · [\d,]+ calls?/);

    const ids = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().map((n) => n.id()));
    const activity = await post<ActivityResponse>('/api/activity', { scope: { ids }, window: { from: '2023-09-11T00:00:00.000Z', to: '2023-10-02T00:00:00.000Z' } });
    const byId = new Map(activity.links.map((l) => [l.id, l.count]));
    const now = await commEdges();
    let shown = 0;
    let out = 0;
    for (const [id, e] of now) {
      if (byId.has(id)) {
        expect(e, id).toEqual({ count: byId.get(id), out: false });
        shown++;
      } else {
        expect(e, id).toEqual({ count: 0, out: true });
        out++;
      }
    }
    expect(shown).toBeGreaterThanOrEqual(4);
    expect(out).toBeGreaterThan(0);
    // X's calls are in the window, Y's are not (they start in October)
    const touching = (id: string) => page.evaluate((n) => (window as unknown as Win).__casegraph.cy.getElementById(n).connectedEdges('[?communication]').map((e) => ({ out: e.hasClass('out-of-window'), count: e.data('count') as number })), id);
    expect((await touching(xId)).every((e) => !e.out && e.count > 0)).toBe(true);
    expect((await touching(yId)).every((e) => e.out)).toBe(true);
    // the numbers are the window's, not the full aggregates: 21 of X's 24 calls and its 4 SMS fall in the window
    expect((await touching(xId)).map((e) => e.count).reduce((a, b) => a + b, 0)).toBe(25);
    await page.screenshot({ path: `${ARTIFACTS}/timeline.png` });
  });

  it('clearing the brush restores every full aggregate', async () => {
    await page.locator('[data-testid="timeline-clear"]').click();
    await expect.poll(() => data('applied')).toBeNull();
    expect(await commEdges()).toEqual(original);
    expect(await page.locator('[data-testid="timeline-brush"]').count()).toBe(0);
  });

  it('play steps the window forward by its own width, pause stops it, closing restores the aggregates', async () => {
    await page.locator('[data-testid="timeline-play"]').click();
    await expect.poll(() => data('playing')).toBe('true');
    const first = await data('window');
    expect(first).toMatch(/\//);
    await expect.poll(() => data('window'), { timeout: 10_000 }).not.toBe(first);
    const second = (await data('window'))!;
    const [f0, t0] = first!.split('/').map(Date.parse);
    const [f1, t1] = second.split('/').map(Date.parse);
    expect(f1).toBe(t0);
    expect(t1 - f1).toBe(t0 - f0);
    await page.locator('[data-testid="timeline-play"]').click();
    expect(await data('playing')).toBe('false');
    const stopped = await data('window');
    await page.waitForTimeout(1500);
    expect(await data('window')).toBe(stopped);
    expect(await page.locator('[data-testid="timeline-play"]').textContent()).toContain('Play');

    // Shift+T closes the drawer: the canvas gets its full aggregates back
    await page.locator('#cy').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Shift+T');
    await expect.poll(() => drawer().isHidden()).toBe(true);
    await expect.poll(() => commEdges()).toEqual(original);
    expect(await page.evaluate(() => document.body.classList.contains('timeline-open'))).toBe(false);
  });
});

describe('compare periods', () => {
  const panel = () => page.locator('[data-testid="diff-panel"]');
  const classesOf = (id: string) => page.evaluate((n) => (window as unknown as Win).__casegraph.cy.getElementById(n).classes() as unknown as string[], id);

  it('the 30 days before and after the raid: X went quiet, Y took over its contacts', async () => {
    await page.locator('[data-testid="diff-toggle"]').click();
    await panel().waitFor({ state: 'visible' });
    const select = page.locator('[data-testid="diff-event"]');
    await expect.poll(() => select.locator('option').count()).toBeGreaterThan(0);
    const raid = await select.locator('option').evaluateAll((os) => (os as HTMLOptionElement[]).find((o) => /raid/i.test(o.textContent ?? ''))?.value);
    expect(raid).toBeDefined();
    await select.selectOption(raid!);
    await page.locator('[data-testid="diff-around"]').click();
    const values = await Promise.all(['diff-a-from', 'diff-a-to', 'diff-b-from', 'diff-b-to'].map((t) => page.locator(`[data-testid="${t}"]`).inputValue()));
    expect(values).toEqual(['2023-09-07', '2023-10-06', '2023-10-08', '2023-11-06']);

    await page.locator('[data-testid="diff-compare"]').click();
    await expect.poll(() => panel().getAttribute('data-state')).toBe('done');
    await waitIdle(page);
    expect(await classesOf(xId)).toContain('diff-disappeared');
    expect(await classesOf(yId)).toEqual(expect.arrayContaining(['diff-appeared', 'diff-successor']));
    const badge = await page.evaluate((n) => (window as unknown as Win).__casegraph.cy.getElementById(n).data('diffBadge'), yId);
    expect(badge).toContain(X);

    // the same comparison straight from the API says the same
    const ids = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes(':visible').map((n) => n.id()));
    const api = await post<DiffResult>('/api/diff', { scope: { ids }, a: { from: '2023-09-07T00:00:00.000Z', to: '2023-10-07T00:00:00.000Z' }, b: { from: '2023-10-08T00:00:00.000Z', to: '2023-11-07T00:00:00.000Z' } });
    expect(api.takeovers.some((t) => t.gone === xId && t.successor === yId)).toBe(true);
    const lines = await page.locator('[data-testid="diff-line"]').allTextContents();
    expect(lines).toEqual(api.lines);

    const takeover = page.locator('[data-testid="diff-line"]', { hasText: `${Y} took over` });
    expect(await takeover.textContent()).toContain(X);
    await takeover.click();
    await expect.poll(async () => (await selectedIds(page)).sort()).toEqual([xId, yId].sort());
    await waitIdle(page);
    await page.screenshot({ path: `${ARTIFACTS}/diff.png` });
  });

  it('entities of a whole-case comparison missing from the canvas can be added; Clear takes every mark off', async () => {
    await page.evaluate((n) => {
      (window as unknown as Win).__casegraph.cy.getElementById(n).remove();
    }, yId);
    await page.locator('label:has([data-testid="diff-scope-case"])').click();
    expect(await page.locator('[data-testid="diff-scope-case"]').isChecked()).toBe(true);
    await page.locator('[data-testid="diff-compare"]').click();
    await expect.poll(() => panel().getAttribute('data-state')).toBe('done');
    const missing = page.locator('[data-testid="diff-missing"]');
    await missing.waitFor({ state: 'visible' });
    await page.locator('[data-testid="diff-add"]').click();
    await expect.poll(() => classesOf(yId)).toEqual(expect.arrayContaining(['diff-successor']));
    await waitIdle(page);
    // Y came back with its links to the counterparts on the canvas
    const links = await page.evaluate((n) => (window as unknown as Win).__casegraph.cy.getElementById(n).connectedEdges().length, yId);
    expect(links).toBeGreaterThanOrEqual(4);

    await page.locator('[data-testid="diff-clear"]').click();
    const marked = await page.evaluate(() => (window as unknown as Win).__casegraph.cy.elements('.diff-appeared, .diff-disappeared, .diff-rose, .diff-fell, .diff-successor').length);
    expect(marked).toBe(0);
    expect(await page.locator('[data-testid="diff-line"]').count()).toBe(0);
  });

  it('logged no console errors and no page errors', () => {
    expect(h.browser.errors).toEqual([]);
  });
});
