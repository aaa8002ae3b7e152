// "From text" against the real server and the seeded Lima case, in headless Chromium: paste a short
// synthetic report, review its candidates (each with its sentence and the mention marked, Lima and the
// Malaysian number already known), reject one, edit and retype others, confirm a link, apply in one write,
// then find the new entities on the canvas and through the API; the same text again is "already applied";
// a markup string in the text stays text; a broken PDF gives a clear error line and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Core } from 'cytoscape';
import type { Counts, EntityDetail, SearchHit } from '../../backend/src/model/schemas.ts';
import { ARTIFACTS, startHarness, waitIdle, waitReady, type Harness } from './harness.ts';

const CASE = 'lima-2023';
const HOSTILE = '<img src=x onerror=alert(1)>';
const PHONE_AS_WRITTEN = '+60 3-2161 1111';
const PHONE = '+60321611111';
const PERSON = 'Marcus Okonkwo';
const PERSON_EDITED = 'Marcus Okonkwo (alias Marco)';
const ORG = 'Blue Lantern Shipping Ltd';
/** Synthetic: invented for this test (names, company, amount); only Lima and the number are in the seed. */
const TEXT = [
  'SYNTHETIC TEST NOTE, invented for the Casegraph test suite.',
  `On 3 November 2023 officers in Lima questioned a man named ${PERSON} about a payment of USD 12,500.`,
  `${PERSON} said he worked for ${ORG} and was reached on ${PHONE_AS_WRITTEN}, a number saved under the alias ${HOSTILE} in his phone.`,
].join(' ');

type Win = Window & { __casegraph: { cy: Core }; __toasts?: string[] };

let h: Harness;
let page: Page;
/** alert/confirm/prompt dialogs the page opened: markup in the text must never run */
const jsDialogs: string[] = [];

const dialog = () => page.locator('[data-testid="text-dialog"]');
const inDialog = (testid: string) => page.locator(`[data-testid="text-dialog"] [data-testid="${testid}"]`);
const candidates = () => inDialog('candidate');

async function counts(): Promise<Counts> {
  return (await h.get<{ counts: Counts }>('/api/health')).counts;
}

/** The candidate row whose label input holds `label`. */
async function rowWithLabel(label: string): Promise<number> {
  const labels = await candidates().evaluateAll((rows) => rows.map((r) => r.querySelector<HTMLInputElement>('[data-testid="candidate-label"]')!.value));
  const i = labels.indexOf(label);
  expect(i, `no candidate labelled ${label}: ${labels.join(' | ')}`).toBeGreaterThanOrEqual(0);
  return i;
}

async function activeTestId(): Promise<string | undefined> {
  return page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid);
}

/** Opens the dialog, pastes `text` and finds its entities (with the button, or Ctrl+Enter in the text). */
async function openAndExtract(text: string, keyboard = false): Promise<void> {
  await page.locator('[data-testid="text-import"]').click();
  await dialog().waitFor({ state: 'visible' });
  expect(await dialog().getAttribute('data-phase')).toBe('input');
  expect(await activeTestId()).toBe('text-input');
  expect(await inDialog('text-case').inputValue()).toBe(CASE);
  await inDialog('text-input').fill(text);
  await inDialog('text-report-date').fill('2023-11-05');
  if (keyboard) {
    await inDialog('text-input').focus();
    await page.keyboard.press('Control+Enter');
  } else {
    await inDialog('text-extract').click();
  }
  await candidates().first().waitFor({ state: 'visible' });
  expect(await dialog().getAttribute('data-phase')).toBe('review');
}

beforeAll(async () => {
  h = await startHarness();
  page = await h.browser.newPage();
  page.on('dialog', (d) => {
    jsDialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${h.server.url}/?case=${CASE}`);
  await waitReady(page);
  // toasts fade after a few seconds: record each one as it appears
  await page.evaluate(() => {
    const w = window as unknown as Win;
    w.__toasts = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement && n.classList.contains('toast')) w.__toasts!.push(`${n.dataset.kind}: ${n.querySelector('.toast-text')?.textContent}`);
    }).observe(document.getElementById('toasts')!, { childList: true });
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('from text', () => {
  let before: Counts;

  it('proposes candidates with their sentence marked, and says which the store already knows', async () => {
    before = await counts();
    await openAndExtract(TEXT);

    const kinds = await candidates().evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    expect(kinds).toEqual(expect.arrayContaining(['phone', 'place', 'person', 'organization', 'money']));
    expect(await inDialog('text-facts').textContent()).toContain(`${kinds.length} candidate`);
    // grouped by type, each group headed by its swatch
    const groups = await inDialog('candidate-group').evaluateAll((gs) => gs.map((g) => [(g as HTMLElement).dataset.type, !!g.querySelector('h3 svg.swatch')]));
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(groups.every(([, swatch]) => swatch)).toBe(true);

    // the phone: normalised to E.164, the mention marked inside its sentence, known from the seeded devices
    const phone = candidates().nth(await rowWithLabel(PHONE));
    expect(await phone.getAttribute('data-type')).toBe('Phone');
    const context = phone.locator('[data-testid="candidate-context"]');
    expect(await context.locator('mark').textContent()).toBe(PHONE_AS_WRITTEN);
    expect(await context.textContent()).toBe(TEXT.slice(TEXT.indexOf(`${PERSON} said`)));
    expect(await phone.locator('[data-testid="candidate-match"]').first().textContent()).toMatch(new RegExp(`^already known: \\${PHONE} from `));

    // Lima: the seed's place, matched by its identifier and written onto it
    const lima = candidates().nth(await rowWithLabel('Lima'));
    expect(await lima.getAttribute('data-kind')).toBe('place');
    expect(await lima.getAttribute('data-decision')).toBe('accept');
    const limaMatch = lima.locator('[data-testid="candidate-match"]').first();
    const limaId = (await limaMatch.getAttribute('data-match-id'))!;
    const seeded = await h.get<EntityDetail>(`/api/entities/${encodeURIComponent(limaId)}`);
    expect(seeded.label).toBe('Lima');
    const sourceName = seeded.sources[0].sourceName;
    expect(await limaMatch.textContent()).toContain(`already known: Lima from ${sourceName}`);
    expect(await lima.locator('[data-testid="candidate-merge"]').inputValue()).toBe(limaId);
    expect(await lima.locator('mark').textContent()).toBe('Lima');

    // the markup in the text is shown as the characters it is, and nothing ran
    expect(await context.textContent()).toContain(HOSTILE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(jsDialogs).toEqual([]);
  });

  it('keeps the review when closed with Escape and reopened', async () => {
    const n = await candidates().count();
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'hidden' });
    expect(await activeTestId()).toBe('text-import');
    await page.locator('[data-testid="text-import"]').click();
    await dialog().waitFor({ state: 'visible' });
    expect(await dialog().getAttribute('data-phase')).toBe('review');
    expect(await candidates().count()).toBe(n);
  });

  it('rejects, edits and retypes candidates, confirms a link, and applies them in one write', async () => {
    // reject the money: it stays on screen, out of the apply
    const money = candidates().and(page.locator('[data-kind="money"]')).first();
    await money.locator('[data-testid="candidate-reject"]').click();
    expect(await money.getAttribute('data-decision')).toBe('reject');
    expect(await money.locator('[data-testid="candidate-reject"]').getAttribute('aria-pressed')).toBe('true');
    expect(await money.locator('[data-testid="candidate-label"]').isDisabled()).toBe(true);

    // edit the person's label with the keyboard
    const person = candidates().nth(await rowWithLabel(PERSON));
    const personInput = person.locator('[data-testid="candidate-label"]');
    await personInput.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' (alias Marco)');
    expect(await personInput.inputValue()).toBe(PERSON_EDITED);

    // retype the company as a criminal Group
    const org = candidates().nth(await rowWithLabel(ORG));
    await org.locator('[data-testid="candidate-type"]').selectOption('Group');
    expect(await org.getAttribute('data-type')).toBe('Group');
    expect(await org.getAttribute('data-proposed-type')).toBe('Organization');

    // every other candidate: accept (dates included), so the apply is predictable
    const rows = await candidates().count();
    for (let i = 0; i < rows; i++) {
      const row = candidates().nth(i);
      if ((await row.getAttribute('data-decision')) === 'pending') await row.locator('[data-testid="candidate-accept"]').click();
    }

    // links are offered only between accepted ends (none to the rejected money), unticked until confirmed
    const links = inDialog('proposed-link');
    const offered = await links.evaluateAll((bs) => bs.map((b) => `${(b as HTMLElement).dataset.from}>${(b as HTMLElement).dataset.to}`));
    const moneyId = (await money.getAttribute('data-id'))!;
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.some((l) => l.split('>').includes(moneyId))).toBe(false);
    expect(await links.evaluateAll((bs) => bs.some((b) => (b as HTMLInputElement).checked))).toBe(false);
    // the person is a member of the (retyped) group: both in one sentence
    const personId = (await person.getAttribute('data-id'))!;
    const orgId = (await org.getAttribute('data-id'))!;
    const memberOf = inDialog('proposed-link').and(page.locator(`[data-from="${personId}"][data-to="${orgId}"]`));
    expect(await memberOf.count()).toBe(1);
    expect(await memberOf.getAttribute('data-link-type')).toBe('MEMBER_OF');
    await memberOf.check();
    const apply = inDialog('text-apply');
    const accepted = await candidates().evaluateAll((rs) => rs.filter((r) => (r as HTMLElement).dataset.decision === 'accept').length);
    expect(accepted).toBe(rows - 1);
    expect(await apply.textContent()).toBe(`Apply ${accepted} entities and 1 link`);
    await page.locator('[data-testid="text-dialog"] .txt-body').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'text-review.png') });

    // an empty label blocks the apply, with a reason
    await personInput.fill('  ');
    expect(await apply.isDisabled()).toBe(true);
    expect(await personInput.getAttribute('aria-invalid')).toBe('true');
    expect(await inDialog('text-review-hint').textContent()).toBe('1 accepted entity needs a label');
    await personInput.fill(PERSON_EDITED);
    expect(await apply.isDisabled()).toBe(false);

    await apply.click();
    await dialog().waitFor({ state: 'hidden' });
    const toasts = () => page.evaluate(() => (window as unknown as Win).__toasts ?? []);
    await expect.poll(async () => (await toasts()).length).toBeGreaterThan(0);
    const toastText = (await toasts()).at(-1)!;
    expect(toastText).toMatch(/^success: pasted text \d{4}-\d\d-\d\d\.txt → lima-2023: \d+ entit(y|ies) created, \d+ merged; \d+ links? created, \d+ merged$/);

    // the store: one new source, the new entities; Lima and the number were written onto the seeded ones
    const after = await counts();
    expect(after.sources - before.sources).toBe(1);
    const created = Number(/: (\d+) entit/.exec(toastText)![1]);
    expect(after.entities - before.entities).toBe(created);
    expect(created).toBeGreaterThanOrEqual(2);
    expect(after.links - before.links).toBeGreaterThanOrEqual(1);

    const { hits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent('Okonkwo')}&limit=10`);
    const personHit = hits.find((x) => x.label === PERSON_EDITED && x.type === 'Person');
    expect(personHit, JSON.stringify(hits)).toBeTruthy();
    const detail = await h.get<EntityDetail>(`/api/entities/${encodeURIComponent(personHit!.id)}`);
    expect(detail.sources.some((s) => s.case === CASE)).toBe(true);
    const { hits: orgHits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent('Blue Lantern')}&limit=10`);
    const orgHit = orgHits.find((x) => x.label === ORG);
    expect(orgHit?.type).toBe('Group');
    const { hits: moneyHits } = await h.get<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent('12,500')}&limit=10`);
    expect(moneyHits.filter((x) => x.label.includes('12,500') || x.label.includes('12500'))).toEqual([]);

    // the canvas: the case again with the new entities on it, selected
    await waitIdle(page);
    const shown = (id: string) => page.evaluate((i) => (window as unknown as Win).__casegraph.cy.getElementById(i).nonempty(), id);
    await expect.poll(() => shown(personHit!.id)).toBe(true);
    expect(await shown(orgHit!.id)).toBe(true);
    const onCanvas = await page.evaluate(
      ([p, o]) => {
        const { cy } = (window as unknown as Win).__casegraph;
        const node = cy.getElementById(p);
        return { label: node.data('label'), type: node.data('type'), orgType: cy.getElementById(o).data('type'), selected: cy.$(':selected').map((n) => n.id()) };
      },
      [personHit!.id, orgHit!.id],
    );
    expect(onCanvas).toMatchObject({ label: PERSON_EDITED, type: 'Person', orgType: 'Group' });
    expect(onCanvas.selected).toEqual(expect.arrayContaining([personHit!.id, orgHit!.id]));
    // the link confirmed in the review joins them on the canvas
    const linked = await page.evaluate(
      ([p, o]) => {
        const { cy } = (window as unknown as Win).__casegraph;
        return cy.getElementById(p).connectedEdges().filter((e) => e.data('type') === 'MEMBER_OF' && e.target().id() === o).length;
      },
      [personHit!.id, orgHit!.id],
    );
    expect(linked).toBe(1);
  });

  it('says "already applied" for the same text, and changes nothing', async () => {
    const before2 = await counts();
    await openAndExtract(TEXT, true);
    expect(await inDialog('text-already').textContent()).toContain('already applied');
    await page.keyboard.press('Control+Enter');
    const result = inDialog('text-result');
    await result.waitFor({ state: 'visible' });
    expect(await result.getAttribute('data-status')).toBe('already_imported');
    expect(await result.textContent()).toContain('Already applied');
    expect(await activeTestId()).toBe('text-done');
    expect(await counts()).toEqual(before2);
    await page.keyboard.press('Enter');
    await dialog().waitFor({ state: 'hidden' });
  });

  it('shows the server error for a broken PDF and stays on the text', async () => {
    const before3 = await counts();
    await page.locator('[data-testid="text-import"]').click();
    await dialog().waitFor({ state: 'visible' });
    expect(await dialog().getAttribute('data-phase')).toBe('input');
    await inDialog('text-file-input').setInputFiles({ name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 this is not really a PDF') });
    expect(await inDialog('text-file').textContent()).toContain('broken.pdf');
    expect(await inDialog('text-input').isDisabled()).toBe(true);
    await inDialog('text-extract').click();
    const error = inDialog('text-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/^Cannot read broken\.pdf: ./);
    expect(await dialog().getAttribute('data-phase')).toBe('input');
    expect(await counts()).toEqual(before3);
    await inDialog('text-file-remove').click();
    expect(await inDialog('text-input').isDisabled()).toBe(false);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'hidden' });
  });

  it('ran no script from the text and logged no errors but the broken PDF’s answer', () => {
    expect(jsDialogs).toEqual([]);
    const expected = (e: string) => /Failed to load resource: the server responded with a status of 4\d\d/.test(e);
    expect(h.browser.errors.filter((e) => !expected(e))).toEqual([]);
    expect(h.browser.errors.filter(expected)).toHaveLength(1);
  });
});
