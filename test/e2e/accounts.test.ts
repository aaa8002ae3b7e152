// Accounts in the explorer, in headless Chromium against the real server: a browser without a session
// sees the sign-in form (a wrong password and too many attempts said in words), the right password opens
// the Lima case; signing out brings the form back and the API then answers 401; an ended session brings
// the form over the view, which is still there after signing in again; analysts get no admin view,
// viewers get the writes and exports disabled; the admin view lists the sign-ins, filters, pages back,
// verifies the chain, exports JSON lines matching the table, and manages users — every name as text; and
// no console error along the way (CSP violations included) but the 401/403/429 answers the tests asked for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Core } from 'cytoscape';
import type { GraphView } from '../../backend/src/model/schemas.ts';
import { ADMIN_PASSWORD, ADMIN_USER, ARTIFACTS, signInApi, signInContext, startHarness, waitIdle, waitReady, type ContextHandle, type Harness } from './harness.ts';

const CASE = 'lima-2023';
const MARKUP = '<img src=x onerror=alert(1)>';
/** synthetic accounts made by this file (test-only passwords) */
const ANALYST = { name: 'ana.analyst', password: 'analyst-password-synthetic', role: 'analyst' as const };
const VIEWER = { name: 'vic.viewer', password: 'viewer-password-synthetic', role: 'viewer' as const };

type Win = Window & { __casegraph: { cy: Core; api: { cases(): Promise<unknown[]> } } };

interface AuditRow {
  seq: number;
  actor: string;
  action: string;
  outcome: string;
  target?: string;
}

let h: Harness;
let page: Page;
const contexts: ContextHandle[] = [];
let alerted = false;

/** A new browser context without a session, and a page of it on the explorer. */
async function freshPage(): Promise<Page> {
  const ctx = await h.browser.newContext();
  contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('dialog', (d) => {
    alerted = true;
    void d.dismiss();
  });
  await p.bringToFront();
  await p.goto(`${h.server.url}/?case=${CASE}`);
  return p;
}

const form = (p: Page) => p.locator('[data-testid="sign-in"]');
const auth = (p: Page) => p.evaluate(() => document.body.dataset.auth ?? null);
const entityCount = async (p: Page) => Number(await p.evaluate(() => document.body.dataset.entityCount));

async function fillSignIn(p: Page, user: string, password: string): Promise<void> {
  await p.locator('[data-testid="sign-in-user"]').fill(user);
  await p.locator('[data-testid="sign-in-password"]').fill(password);
  await p.locator('[data-testid="sign-in-submit"]').click();
}

async function signInError(p: Page, before = ''): Promise<string> {
  const err = p.locator('[data-testid="sign-in-error"]');
  await expect.poll(async () => ((await err.textContent()) ?? '') !== before && !(await p.locator('[data-testid="sign-in"][data-state="signing-in"]').count())).toBe(true);
  return (await err.textContent()) ?? '';
}

async function auditRows(p: Page): Promise<AuditRow[]> {
  return p.locator('[data-testid="audit-row"]').evaluateAll((rows) =>
    rows.map((r) => {
      const el = r as HTMLElement;
      const cell = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
      return { seq: Number(el.dataset.seq), actor: cell('audit-actor'), action: el.dataset.action ?? '', outcome: el.dataset.outcome ?? '', target: cell('audit-target') };
    }),
  );
}

async function auditReady(p: Page): Promise<void> {
  await p.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="admin-dialog"]')?.dataset.audit === 'ready');
}

beforeAll(async () => {
  h = await startHarness();
  await h.api.send('POST', '/api/users', { ...ANALYST, cases: [CASE] });
  await h.api.send('POST', '/api/users', { ...VIEWER, cases: [CASE] });
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await h?.stop();
});

describe('signing in', () => {
  let p: Page;

  it('shows a browser without a session the sign-in form instead of the workbench', async () => {
    p = await freshPage();
    await form(p).waitFor({ state: 'visible' });
    expect(await auth(p)).toBe('signed-out');
    expect(await p.locator('[data-testid="sign-in-note"]').textContent()).toBe('Sign in to open your cases.');
    // nothing of a case was loaded, and the workbench under the form takes no clicks
    expect(await p.evaluate(() => document.body.dataset.ready)).toBe('false');
    expect(await p.evaluate(() => document.querySelector<HTMLElement>('body > header')!.inert)).toBe(true);
    expect(await p.locator('[data-testid="case-select"] option').count()).toBe(0);
    await p.screenshot({ path: join(ARTIFACTS, 'accounts-sign-in.png') });
  });

  it('says a wrong password in words, and the right one opens the Lima case', async () => {
    await fillSignIn(p, ADMIN_USER, 'not-the-password');
    expect(await signInError(p)).toBe('Wrong user name or password.');
    expect(await form(p).isVisible()).toBe(true);
    expect(await p.locator('[data-testid="sign-in-password"]').inputValue()).toBe('');

    await p.locator('[data-testid="sign-in-password"]').fill(ADMIN_PASSWORD);
    await p.locator('[data-testid="sign-in-submit"]').click();
    await waitReady(p);
    expect(await form(p).isVisible()).toBe(false);
    expect(await auth(p)).toBe('signed-in');
    expect(await p.locator('[data-testid="case-select"]').inputValue()).toBe(CASE);
    expect(await entityCount(p)).toBeGreaterThan(50);
    expect(await p.locator('[data-testid="user-name"]').textContent()).toBe(ADMIN_USER);
    expect(await p.locator('[data-testid="user-role"]').textContent()).toBe('admin');
    expect(await p.locator('[data-testid="admin-button"]').isVisible()).toBe(true);
  });

  it('says how long to wait after too many failed attempts', async () => {
    const q = await freshPage();
    await form(q).waitFor({ state: 'visible' });
    let shown = '';
    for (let i = 0; i < 5; i++) {
      await fillSignIn(q, 'nobody.synthetic', `wrong password ${i}`);
      // the same sentence each time: wait for the answer through the form's state
      await q.waitForFunction(() => !document.querySelector('[data-testid="sign-in"][data-state="signing-in"]'));
      shown = (await q.locator('[data-testid="sign-in-error"]').textContent()) ?? '';
      expect(shown).toBe('Wrong user name or password.');
    }
    await fillSignIn(q, 'nobody.synthetic', 'wrong password 5');
    expect(await signInError(q, shown)).toMatch(/^Too many failed sign-ins: wait (1[45] min|\d+ min \d+ s) and try again\.$/);
    await q.close();
  });

  it('signs out from the user menu: the form is back and the API answers 401', async () => {
    await p.locator('[data-testid="user-button"]').click();
    const menu = p.locator('[data-testid="user-menu"]');
    await menu.waitFor({ state: 'visible' });
    expect(await menu.locator('[data-testid="user-menu-name"]').textContent()).toBe(ADMIN_USER);
    expect(await menu.locator('[data-testid="user-menu-cases"]').textContent()).toBe('All cases');
    await menu.locator('[data-testid="user-menu-sign-out"]').click();
    await form(p).waitFor({ state: 'visible' });
    expect(await auth(p)).toBe('signed-out');
    expect(await p.evaluate(() => fetch('/api/cases').then((r) => r.status))).toBe(401);
    const ctx = contexts[0].context;
    expect((await ctx.request.get(`${h.server.url}/api/cases`)).status()).toBe(401);
    expect((await ctx.request.get(`${h.server.url}/api/auth/me`)).status()).toBe(401);
  });

  it('brings the form over the view when the session ends, and goes on where it was once signed in again', async () => {
    await fillSignIn(p, ADMIN_USER, ADMIN_PASSWORD);
    await waitReady(p);
    const count = await entityCount(p);
    // the session ends behind the page's back (its cookie is the context's)
    await contexts[0].context.request.post(`${h.server.url}/api/auth/logout`);
    const cases = p.evaluate(() => (window as unknown as Win).__casegraph.api.cases().then((c) => c.length));
    await form(p).waitFor({ state: 'visible' });
    expect(await auth(p)).toBe('expired');
    expect(await p.locator('[data-testid="sign-in-note"]').textContent()).toContain('Your session has ended');
    expect(await p.locator('[data-testid="sign-in-user"]').inputValue()).toBe(ADMIN_USER);
    // the view is still there under the form
    expect(await entityCount(p)).toBe(count);
    await p.locator('[data-testid="sign-in-password"]').fill(ADMIN_PASSWORD);
    await p.locator('[data-testid="sign-in-submit"]').click();
    // the request that met the ended session went again and answered
    expect(await cases).toBeGreaterThanOrEqual(1);
    expect(await auth(p)).toBe('signed-in');
    expect(await form(p).isVisible()).toBe(false);
    expect(await entityCount(p)).toBe(count);
    await p.close();
  });
});

describe('roles', () => {
  it('signs an analyst in with no admin view and the writes on offer', async () => {
    const p = await freshPage();
    await form(p).waitFor({ state: 'visible' });
    await fillSignIn(p, ANALYST.name, ANALYST.password);
    await waitReady(p);
    expect(await p.locator('[data-testid="user-name"]').textContent()).toBe(ANALYST.name);
    expect(await p.locator('[data-testid="user-role"]').textContent()).toBe('analyst');
    expect(await p.locator('[data-testid="admin-button"]').isVisible()).toBe(false);
    expect(await p.locator('[data-testid="import"]').isDisabled()).toBe(false);
    expect(await p.locator('[data-testid="export"]').isDisabled()).toBe(false);
    await p.locator('[data-testid="user-button"]').click();
    const menu = p.locator('[data-testid="user-menu"]');
    await menu.waitFor({ state: 'visible' });
    expect(await menu.locator('[data-testid="user-menu-admin"]').count()).toBe(0);
    expect(await menu.locator('[data-testid="user-menu-cases"]').textContent()).toBe(`Cases: ${CASE}`);
    await p.keyboard.press('Escape');
    // and the server agrees: no audit trail for analysts
    expect((await contexts.at(-1)!.context.request.get(`${h.server.url}/api/audit`)).status()).toBe(403);
    await p.close();
  });

  it('shows a viewer import, text, snapshots, export, notes and merges disabled, saying why', async () => {
    const ctx = await h.browser.newContext();
    contexts.push(ctx);
    await signInContext(ctx.context, h.server.url, VIEWER.name, VIEWER.password);
    const p = await ctx.newPage();
    await p.goto(`${h.server.url}/?case=${CASE}`);
    await waitReady(p);
    expect(await p.locator('[data-testid="user-role"]').textContent()).toBe('viewer');
    for (const [testid, doing] of [
      ['import', 'import'],
      ['text-import', 'add entities from text'],
      ['open-snapshot', 'open snapshots'],
      ['export', 'export'],
    ]) {
      const btn = p.locator(`[data-testid="${testid}"]`);
      expect(await btn.isDisabled(), testid).toBe(true);
      expect(await btn.getAttribute('title')).toContain(`Your role (viewer) cannot ${doing}`);
    }
    // the details of an entity: no note, no merge
    const id = await p.evaluate(() => (window as unknown as Win).__casegraph.cy.nodes().first().id());
    await p.evaluate((nodeId) => void (window as unknown as Win).__casegraph.cy.getElementById(nodeId).emit('tap'), id);
    await p.locator('[data-testid="note-input"]').waitFor({ state: 'visible' });
    expect(await p.locator('[data-testid="note-input"]').isDisabled()).toBe(true);
    expect(await p.locator('[data-testid="note-input"]').getAttribute('title')).toBe('Your role (viewer) cannot add notes');
    expect(await p.locator('[data-testid="merge-open"]').isDisabled()).toBe(true);
    // the server refuses anyway
    const res = await ctx.context.request.post(`${h.server.url}/api/entities/${encodeURIComponent(id)}/notes`, { data: { text: 'viewer note (synthetic)' } });
    expect(res.status()).toBe(403);
    await waitIdle(p);
    await p.close();
  });
});

describe('admin view', () => {
  beforeAll(async () => {
    // a sign-in under a name made of markup: refused, and recorded in the audit trail under that name
    const res = await fetch(`${h.server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: MARKUP, password: 'whatever-synthetic' }) });
    expect(res.status).toBe(401);
    // enough entries for more than one page (notes are audited)
    const { entities } = await h.get<GraphView>(`/api/cases/${CASE}/overview?limit=1`);
    for (let i = 0; i < 60; i++) await h.api.send('POST', `/api/entities/${encodeURIComponent(entities[0].id)}/notes`, { text: `audit filler ${i} (synthetic)` });
    page = await h.browser.newPage();
    page.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    await page.goto(`${h.server.url}/?case=${CASE}`);
    await waitReady(page);
  });

  const dialog = () => page.locator('[data-testid="admin-dialog"]');

  it('lists the trail newest first and pages back with "Load older"', async () => {
    await page.locator('[data-testid="admin-button"]').click();
    await dialog().waitFor({ state: 'visible' });
    await auditReady(page);
    const first = await auditRows(page);
    expect(first).toHaveLength(50);
    expect(first.map((r) => r.seq)).toEqual([...first.map((r) => r.seq)].sort((a, b) => b - a));
    await page.locator('[data-testid="audit-older"]').click();
    await expect.poll(async () => (await auditRows(page)).length).toBeGreaterThan(50);
    const all = await auditRows(page);
    const seqs = all.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const api = await h.get<{ entries: AuditRow[] }>('/api/audit?limit=1000');
    expect(seqs).toEqual(api.entries.slice(0, seqs.length).map((e) => e.seq));
    // the sign-ins are there: the harness's, the analyst's, the refused ones
    expect(all.some((r) => r.action === 'auth.login' && r.actor === ANALYST.name && r.outcome === 'ok')).toBe(true);
    expect(all.some((r) => r.action === 'auth.login' && r.actor === ADMIN_USER && r.outcome === 'refused')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'accounts-audit.png') });
  });

  it('shows a name made of markup as text', async () => {
    const rows = await auditRows(page);
    expect(rows.some((r) => r.actor === MARKUP && r.action === 'auth.login' && r.outcome === 'refused')).toBe(true);
    expect(await dialog().locator('img').count()).toBe(0);
    expect(alerted).toBe(false);
  });

  it('filters by action: the table and the JSON-lines export hold the same sign-ins', async () => {
    await page.locator('[data-testid="audit-filter-action"]').fill('auth.login');
    await page.locator('[data-testid="audit-apply"]').click();
    await expect.poll(async () => (await auditRows(page)).every((r) => r.action === 'auth.login')).toBe(true);
    await auditReady(page);
    const rows = await auditRows(page);
    const api = await h.get<{ entries: AuditRow[] }>('/api/audit?action=auth.login&limit=1000');
    expect(rows.length).toBeLessThan(50);
    expect(rows.map((r) => r.seq)).toEqual(api.entries.map((e) => e.seq));
    expect(rows.filter((r) => r.outcome === 'refused').length).toBeGreaterThanOrEqual(7);
    expect(await page.locator('[data-testid="audit-count"]').textContent()).toContain(`${rows.length} entries shown`);

    const link = page.locator('[data-testid="audit-export"]');
    expect(await link.getAttribute('href')).toBe('/api/audit/export?action=auth.login');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const lines = readFileSync((await download.path())!, 'utf8').split('\n').filter(Boolean);
    const exported = lines.map((l) => JSON.parse(l) as AuditRow);
    expect(exported).toHaveLength(rows.length);
    expect(exported.every((e) => e.action === 'auth.login')).toBe(true);
    // oldest first in the file, newest first in the table
    expect(exported.map((e) => e.seq)).toEqual(rows.map((r) => r.seq).reverse());
  });

  it('filters by outcome and actor together', async () => {
    await page.locator('[data-testid="audit-filter-action"]').fill('');
    await page.locator('[data-testid="audit-filter-outcome"]').selectOption('refused');
    await page.locator('[data-testid="audit-filter-actor"]').fill('nobody.synthetic');
    await page.locator('[data-testid="audit-apply"]').click();
    await expect.poll(async () => (await auditRows(page)).map((r) => `${r.actor} ${r.outcome}`)).toEqual(Array(6).fill('nobody.synthetic refused'));
    await page.locator('[data-testid="audit-reset"]').click();
    await expect.poll(async () => (await auditRows(page)).length).toBe(50);
  });

  it('verifies the chain', async () => {
    await page.locator('[data-testid="audit-verify"]').click();
    const result = page.locator('[data-testid="audit-verify-result"]');
    await expect.poll(() => result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toMatch(/^Chain intact: [\d,]+ entries verified$/);
  });

  it('lists users, changes a role, disables and enables, adds one — and refuses a name made of markup in words', async () => {
    await page.locator('[data-testid="admin-tab-users"]').click();
    const row = (name: string) => dialog().locator(`[data-testid="user-row"][data-name="${name}"]`);
    await row(VIEWER.name).waitFor({ state: 'visible' });
    expect(await dialog().locator('[data-testid="user-row-name"]').allTextContents()).toEqual(expect.arrayContaining([`${ADMIN_USER} (you)`, ANALYST.name, VIEWER.name]));
    expect(await row(ANALYST.name).locator('[data-testid="user-role-select"]').inputValue()).toBe('analyst');
    expect(await row(ANALYST.name).locator('[data-testid="user-cases"]').inputValue()).toBe(CASE);

    // the viewer becomes an analyst
    await row(VIEWER.name).locator('[data-testid="user-role-select"]').selectOption('analyst');
    await row(VIEWER.name).locator('[data-testid="user-save"]').click();
    await expect.poll(async () => (await h.get<{ users: { name: string; role: string }[] }>('/api/users')).users.find((u) => u.name === VIEWER.name)?.role).toBe('analyst');

    // disabled: the analyst's sessions end
    const analyst = await signInApi(h.server.url, ANALYST.name, ANALYST.password);
    expect((await analyst.fetch('/api/cases')).status).toBe(200);
    await row(ANALYST.name).locator('[data-testid="user-toggle"]').click();
    await expect.poll(() => row(ANALYST.name).getAttribute('data-disabled')).toBe('true');
    expect(await row(ANALYST.name).locator('[data-testid="user-state"]').textContent()).toBe('disabled');
    expect((await analyst.fetch('/api/cases')).status).toBe(401);
    await row(ANALYST.name).locator('[data-testid="user-toggle"]').click();
    await expect.poll(() => row(ANALYST.name).getAttribute('data-disabled')).toBe('false');
    expect((await signInApi(h.server.url, ANALYST.name, ANALYST.password)).cookie).toMatch(/^casegraph_session=/);
    // the admin cannot disable themselves here
    expect(await row(ADMIN_USER).locator('[data-testid="user-toggle"]').isDisabled()).toBe(true);

    // a name made of markup: the server refuses it, the form says why as text
    await dialog().locator('[data-testid="add-user-name"]').fill(MARKUP);
    await dialog().locator('[data-testid="add-user-password"]').fill('markup-password-synthetic');
    await dialog().locator('[data-testid="add-user-submit"]').click();
    await expect.poll(() => dialog().locator('[data-testid="add-user-error"]').textContent()).toMatch(/user name/);
    expect(await dialog().locator('img').count()).toBe(0);

    // a new analyst with a case
    await dialog().locator('[data-testid="add-user-name"]').fill('olga.synthetic');
    await dialog().locator('[data-testid="add-user-role"]').selectOption('analyst');
    await dialog().locator('[data-testid="add-user-password"]').fill('olga-password-synthetic');
    await dialog().locator('[data-testid="add-user-cases"]').fill(`${CASE}, quito-2024`);
    await dialog().locator('[data-testid="add-user-submit"]').click();
    await row('olga.synthetic').waitFor({ state: 'visible' });
    expect(await row('olga.synthetic').locator('[data-testid="user-cases"]').inputValue()).toBe(`${CASE}, quito-2024`);
    const olga = await signInApi(h.server.url, 'olga.synthetic', 'olga-password-synthetic');
    expect(await olga.get('/api/auth/me')).toEqual({ user: 'olga.synthetic', role: 'analyst', cases: [CASE, 'quito-2024'] });
    await page.screenshot({ path: join(ARTIFACTS, 'accounts-users.png') });

    // the trail recorded it all
    const { entries } = await h.get<{ entries: AuditRow[] }>('/api/audit?action=user&limit=100');
    const actions = entries.map((e) => `${e.action} ${e.target}`);
    expect(actions).toEqual(expect.arrayContaining([`user.create olga.synthetic`, `user.disable ${ANALYST.name}`, `user.update ${VIEWER.name}`]));
    await page.keyboard.press('Escape');
  });

  it('changes the signed-in user’s own password from the user menu', async () => {
    const p = await freshPage();
    await form(p).waitFor({ state: 'visible' });
    await fillSignIn(p, 'olga.synthetic', 'olga-password-synthetic');
    await waitReady(p);
    await p.locator('[data-testid="user-button"]').click();
    await p.locator('[data-testid="user-menu-password"]').click();
    const pw = p.locator('[data-testid="password-form"]');
    await pw.waitFor({ state: 'visible' });
    await pw.locator('[data-testid="password-current"]').fill('not-my-password');
    await pw.locator('[data-testid="password-new"]').fill('olga-new-password-synthetic');
    await pw.locator('[data-testid="password-repeat"]').fill('olga-new-password-synthetic');
    await pw.locator('[data-testid="password-save"]').click();
    await expect.poll(() => pw.locator('[data-testid="password-error"]').textContent()).toBe('The current password is wrong.');
    await pw.locator('[data-testid="password-current"]').fill('olga-password-synthetic');
    await pw.locator('[data-testid="password-save"]').click();
    await pw.waitFor({ state: 'detached' });
    // this page stays signed in; the new password is the one that works
    expect(await p.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).toBe(200);
    expect((await signInApi(h.server.url, 'olga.synthetic', 'olga-new-password-synthetic')).cookie).toMatch(/^casegraph_session=/);
    await p.close();
  });
});

describe('console', () => {
  it('logged no console errors (no CSP violation) but the 401, 403 and 429 answers the tests asked for', () => {
    const asked = (e: string) =>
      /Failed to load resource: the server responded with a status of (401|403|429)\b/.test(e) ||
      // the user name made of markup, refused
      /status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/users\)$/.test(e);
    expect(h.browser.errors.filter((e) => !asked(e))).toEqual([]);
    expect(h.browser.errors.some((e) => /Content Security Policy/i.test(e))).toBe(false);
    expect(alerted).toBe(false);
  });
});
