// Export and snapshots in headless Chromium against the real server and the seeded Lima case, through the
// UI only (toolbar → dialog → Download; downloads captured by playwright): GraphML with victims redacted
// (the victim's label absent from the bytes) and unredacted with a reason (present, and recorded once in
// the annotation log); PNG (2× the drawn graph) and SVG of the canvas behind the "not redacted"
// acknowledgement; a snapshot of a moved, expanded, pinned, selected, zoomed view that, opened again
// after the canvas was reset (file picker, then drop onto the dialog), restores the same elements,
// positions (within 1 px), camera and selection — and no console errors.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, waitIdle, waitReady, type Harness } from './harness.ts';
import { centreOn, dropNeighbours, nodeIds, positions, searchId, selectedIds, type Win } from './canvas.ts';

const CASE = 'lima-2023';
const VICTIM = 'Escaped woman 1';

let h: Harness;
let page: Page;

async function fresh(): Promise<void> {
  await page.goto(`${h.server.url}/?case=${CASE}`);
  await waitReady(page);
}

interface ExportOptions {
  scope?: 'view' | 'case';
  /** untick "Redact victims" and give this reason */
  unredactReason?: string;
}

interface Downloaded {
  name: string;
  bytes: Buffer;
  result: string;
}

const dialog = () => page.locator('[data-testid="export-dialog"]');

/** Opens the export dialog and chooses `format` (and the scope / redaction). */
async function prepareExport(format: string, opts: ExportOptions = {}): Promise<void> {
  await page.locator('[data-testid="export"]').click();
  await dialog().waitFor({ state: 'visible' });
  await page.locator('[data-testid="export-format"]').selectOption(format);
  if (opts.scope === 'case') await page.locator('[data-testid="export-scope-case"]').check();
  else if (!['png', 'svg'].includes(format)) await page.locator('[data-testid="export-scope-view"]').check();
  const redact = page.locator('[data-testid="export-redact"]');
  if (opts.unredactReason !== undefined) {
    await redact.uncheck();
    await page.locator('[data-testid="export-unredact-warning"]').waitFor({ state: 'visible' });
    // no reason, no download
    expect(await page.locator('[data-testid="export-download"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="export-reason"]').fill(opts.unredactReason);
  } else {
    await redact.check();
  }
}

/** Clicks Download and captures the file the browser saves. */
async function download(): Promise<Downloaded> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-download"]').click()]);
  const path = await dl.path();
  if (!path) throw new Error(`download failed: ${await dl.failure()}`);
  const result = page.locator('[data-testid="export-result"]');
  await result.waitFor({ state: 'visible' });
  const out = { name: dl.suggestedFilename(), bytes: readFileSync(path), result: (await result.textContent()) ?? '' };
  await page.locator('[data-testid="export-close"]').click();
  await dialog().waitFor({ state: 'hidden' });
  return out;
}

interface Camera {
  zoom: number;
  pan: { x: number; y: number };
}

async function camera(p: Page): Promise<Camera> {
  return p.evaluate(() => {
    const { cy } = (window as unknown as Win).__casegraph;
    return { zoom: cy.zoom(), pan: { ...cy.pan() } };
  });
}

async function pinnedIds(p: Page): Promise<string[]> {
  return p.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().filter((n) => n.locked()).map((n) => n.id()).sort());
}

beforeAll(async () => {
  h = await startHarness();
  page = await h.browser.newPage();
  await page.bringToFront();
  await fresh();
});

afterAll(async () => {
  await h?.stop();
});

describe('server-side export', () => {
  it('GraphML with victims redacted leaves the victim out; unredacted (with a reason) has it and is recorded', async () => {
    const victim = await searchId(h, VICTIM, `${VICTIM} (unnamed)`);
    expect(await nodeIds(page)).toContain(victim);

    await prepareExport('graphml');
    const redacted = await download();
    expect(redacted.name).toMatch(/\.graphml$/);
    const redactedText = redacted.bytes.toString('utf8');
    expect(redactedText).toContain('<graphml');
    expect(redactedText).not.toContain(VICTIM);
    expect(redacted.result).toMatch(/victims redacted/);
    expect((await h.get<{ annotations: unknown[] }>('/api/annotations?kind=unredaction')).annotations).toHaveLength(0);

    await prepareExport('graphml', { unredactReason: 'e2e: prosecutor needs the full file' });
    const plain = await download();
    expect(plain.bytes.toString('utf8')).toContain(VICTIM);
    expect(plain.result).toMatch(/not redacted/);
    const { annotations } = await h.get<{ annotations: { kind: string; text?: string }[] }>('/api/annotations?kind=unredaction');
    expect(annotations).toHaveLength(1);
    expect(JSON.stringify(annotations[0])).toContain('prosecutor needs the full file');
  });

  it('exports the whole case as GEXF 1.3, streamed with progress', async () => {
    await prepareExport('gexf', { scope: 'case' });
    const gexf = await download();
    expect(gexf.name).toMatch(/\.gexf$/);
    expect(gexf.bytes.toString('utf8')).toMatch(/<gexf[^>]*version="1\.3"/);
    expect(gexf.bytes.toString('utf8')).not.toContain(VICTIM);
    expect(gexf.result).toMatch(/entities \d+/);
  });
});

describe('canvas images', () => {
  it('PNG needs the "not redacted" acknowledgement and is the drawn graph at 2×', async () => {
    await prepareExport('png');
    await page.locator('[data-testid="export-canvas-warning"]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid="export-download"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="export-understand"]').check();
    const png = await download();
    expect(png.name).toMatch(/\.png$/);
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.bytes.readUInt32BE(16);
    const { graphWidth, cssWidth } = await page.evaluate(() => {
      const { cy } = (window as unknown as Win).__casegraph;
      return { graphWidth: Math.ceil(cy.elements().boundingBox().w), cssWidth: cy.container()!.clientWidth };
    });
    // full: true draws the whole graph at zoom 1: 2 × its model width (not the canvas's CSS width)
    expect(Math.abs(width - 2 * graphWidth)).toBeLessThanOrEqual(2);
    expect(cssWidth).toBeGreaterThan(0);
  });

  it('SVG is SVG text', async () => {
    await prepareExport('svg');
    await page.locator('[data-testid="export-understand"]').check();
    const svg = await download();
    expect(svg.name).toMatch(/\.svg$/);
    expect(svg.bytes.toString('utf8').trimStart()).toMatch(/^(<\?xml|<svg)/);
    expect(svg.bytes.toString('utf8')).toContain('<svg');
  });
});

describe('snapshot', () => {
  it('round-trips the view: elements, positions, camera, pins and selection come back exactly', async () => {
    await fresh();
    const lima = await searchId(h, 'Lima', 'Lima');
    expect(await dropNeighbours(page, lima)).toBeGreaterThan(0);
    await page.evaluate((id) => (window as unknown as Win).__casegraph.actions.expand(id), lima);
    await waitIdle(page);

    // drag Lima with the real mouse, pin it (P), keep it selected, then an odd camera
    const from = await centreOn(page, lima, 1.3);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 40, { steps: 6 });
    await page.mouse.move(from.x + 123, from.y - 77, { steps: 6 });
    await page.mouse.up();
    await page.mouse.click(from.x + 123, from.y - 77);
    await expect.poll(() => selectedIds(page)).toEqual([lima]);
    await page.keyboard.press('p');
    await page.evaluate(() => {
      const { cy } = (window as unknown as Win).__casegraph;
      cy.viewport({ zoom: 0.8731, pan: { x: 211.37, y: -48.6 } });
    });

    const before = { ids: await nodeIds(page), pos: await positions(page), cam: await camera(page), selected: await selectedIds(page), pinned: await pinnedIds(page) };
    expect(before.pinned).toEqual([lima]);

    // the view includes victims: an exact round trip needs them unredacted (recorded, with a reason)
    await prepareExport('snapshot', { unredactReason: 'e2e: snapshot round trip' });
    const snap = await download();
    expect(snap.name).toMatch(/\.casegraph\.json$/);
    expect(snap.bytes.subarray(0, 40).toString('utf8')).toMatch(/^\{"casegraph":"snapshot\/1",/);

    async function expectRestored(): Promise<void> {
      expect(await nodeIds(page)).toEqual(before.ids);
      const pos = await positions(page);
      for (const id of before.ids) {
        expect(Math.abs(pos[id].x - before.pos[id].x), `${id} x`).toBeLessThanOrEqual(1);
        expect(Math.abs(pos[id].y - before.pos[id].y), `${id} y`).toBeLessThanOrEqual(1);
      }
      const cam = await camera(page);
      expect(cam.zoom).toBeCloseTo(before.cam.zoom, 6);
      expect(Math.abs(cam.pan.x - before.cam.pan.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(cam.pan.y - before.cam.pan.y)).toBeLessThanOrEqual(1);
      expect((await selectedIds(page)).sort()).toEqual([...before.selected].sort());
      expect(await pinnedIds(page)).toEqual(before.pinned);
    }

    // reset: a new page on the case overview (laid out afresh), then open the file through the picker
    await fresh();
    expect(await pinnedIds(page)).toEqual([]);
    await page.locator('[data-testid="open-snapshot"]').click();
    await page.locator('[data-testid="snapshot-dialog"]').waitFor({ state: 'visible' });
    await page.locator('[data-testid="snapshot-file-input"]').setInputFiles({ name: snap.name, mimeType: 'application/json', buffer: snap.bytes });
    await page.locator('[data-testid="snapshot-summary"]').waitFor({ state: 'visible' });
    // opened as a job: the progress bar ends full, at the manifest's record count
    const [value, max] = await page.locator('[data-testid="snapshot-progress"]').evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max]);
    expect(max).toBeGreaterThan(100);
    expect(value).toBe(max);
    expect(await page.locator('[data-testid="snapshot-result"]').textContent()).toContain('already in the store');
    expect(await page.locator('[data-testid="snapshot-view-note"]').textContent()).toContain('View restored');
    await page.locator('[data-testid="snapshot-close"]').click();
    await waitIdle(page);
    await expectRestored();

    // again, dropping the file onto the dialog, from an emptied canvas
    await page.evaluate(() => {
      (window as unknown as Win).__casegraph.cy.elements().remove();
    });
    await page.locator('[data-testid="open-snapshot"]').click();
    const dt = await page.evaluateHandle(
      ({ text, name }) => {
        const t = new DataTransfer();
        t.items.add(new File([text], name, { type: 'application/json' }));
        return t;
      },
      { text: snap.bytes.toString('utf8'), name: snap.name },
    );
    await page.locator('[data-testid="snapshot-dropzone"]').dispatchEvent('drop', { dataTransfer: dt });
    await page.locator('[data-testid="snapshot-summary"]').waitFor({ state: 'visible' });
    await page.locator('[data-testid="snapshot-close"]').click();
    await waitIdle(page);
    await expectRestored();
    // the import dialog did not take the dropped file
    expect(await page.locator('[data-testid="import-dialog"]').isVisible()).toBe(false);
  });

  it('a file that is not a snapshot is refused with a message in the dialog', async () => {
    await page.locator('[data-testid="open-snapshot"]').click();
    await page.locator('[data-testid="snapshot-file-input"]').setInputFiles({ name: 'broken.casegraph.json', mimeType: 'application/json', buffer: Buffer.from('{"casegraph":"snapshot/1","meta":') });
    const error = page.locator('[data-testid="snapshot-error"]');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('broken.casegraph.json');
    await page.locator('[data-testid="snapshot-close"]').click();
  });
});

describe('console', () => {
  it('logged no console errors and no page errors (but the answer to the broken snapshot)', () => {
    const expected = (e: string) => /status of 4\d\d/.test(e) && e.includes('/api/snapshots/open');
    expect(h.browser.errors.filter((e) => !expected(e))).toEqual([]);
    expect(h.browser.errors.filter(expected).length).toBeLessThanOrEqual(1);
  });
});
