// Entry point of the explorer: wires the API client, the cytoscape canvas and the panels, and owns the
// interactions (open a case, select, search-and-focus, expand, import). The only module with side effects
// at load.
import type { Core, EdgeSingular, NodeCollection, NodeSingular } from 'cytoscape';
import { ApiError, createApi, isAbort, type Api, type EntityDetail, type GraphView } from './api.ts';
import { byId, h, replaceChildren } from './dom.ts';
import { caseFromUrl, caseToUrl, createState, intFromUrl, tracked } from './state.ts';
import { countByType, nodeElement, type EdgeData } from './graph/elements.ts';
import { createCy, detailLevel, fitView, focusNode, inViewport, layoutAll, mergeView, placeAround, replaceAll, updateDetailLevel } from './graph/cy.ts';
import { createLegend } from './panels/legend.ts';
import { createDetails } from './panels/details.ts';
import { createSearch } from './panels/search.ts';
import { createCapNotices, createToasts } from './panels/notices.ts';
import { plural } from './format.ts';
import { ENTITY_TYPES, LINK_TYPES } from '../../backend/src/model/ontology.ts';

/** Neighbours fetched per expansion page; `?expandLimit=` overrides it (tests, very slow machines). */
const EXPAND_LIMIT = intFromUrl('expandLimit', 500, 1, 5000);
/** Entities fetched for a case overview. */
const OVERVIEW_LIMIT = 2000;

declare global {
  interface Window {
    __casegraph?: { cy: Core; ready: Promise<void>; api: Api };
  }
}

const api = createApi();
const state = createState();
const cy = createCy(byId('cy'));
const toasts = createToasts(byId('toasts'));
const capNotices = createCapNotices(byId('cap-notices'));
const statusBar = byId('status-bar');
const emptyState = byId('empty-state');
const caseSelect = byId<HTMLSelectElement>('case-select');
const caseMeta = byId('case-meta');

function reportError(err: unknown, context?: string): void {
  if (isAbort(err)) return;
  const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  toasts.show(context ? `${context}: ${message}` : message, 'error');
}

// ---------------------------------------------------------------- counts, legend, status bar

const legend = createLegend(byId('legend'), {
  onToggleType(type) {
    if (state.hiddenTypes.has(type)) state.hiddenTypes.delete(type);
    else state.hiddenTypes.add(type);
    const hide = state.hiddenTypes.has(type);
    cy.batch(() => cy.nodes().filter((n) => n.data('type') === type).toggleClass('type-hidden', hide));
    refreshCounts();
  },
});

function applyHidden(nodes: NodeCollection): void {
  if (state.hiddenTypes.size === 0) return;
  nodes.filter((n) => state.hiddenTypes.has(n.data('type'))).addClass('type-hidden');
}

function refreshCounts(): void {
  const level = updateDetailLevel(cy);
  document.body.dataset.detail = level;
  const nodes = cy.nodes();
  const edges = cy.edges();
  const hidden = nodes.filter('.type-hidden').length;
  const parts = [plural(nodes.length, 'entity', 'entities'), plural(edges.length, 'link')];
  if (hidden) parts.push(`${hidden.toLocaleString('en')} hidden`);
  statusBar.textContent = parts.join(' · ');
  document.body.dataset.entityCount = String(nodes.length);
  document.body.dataset.linkCount = String(edges.length);
  legend.update(
    {
      entities: countByType(nodes.map((n) => n.data('type') as string), ENTITY_TYPES),
      links: countByType(edges.map((e) => e.data('type') as string), LINK_TYPES),
    },
    state.hiddenTypes,
  );
  emptyState.hidden = nodes.length > 0 || state.pending > 0;
}

// ---------------------------------------------------------------- selection and details

let detailsRequest = 0;

const details = createDetails(byId('details'), {
  onExpand: (id) => void expand(id),
  onFocusEntity: (id) => void focusEntity(id),
});

async function showEntityDetails(id: string, known?: EntityDetail): Promise<void> {
  const token = ++detailsRequest;
  const node = cy.getElementById(id);
  if (known) {
    details.showEntity(known);
    return;
  }
  details.loading(node.nonempty() ? String(node.data('label')) : id, node.nonempty() ? String(node.data('type')) : 'Entity');
  try {
    const detail = await tracked(state, () => api.entity(id));
    if (token === detailsRequest) details.showEntity(detail);
  } catch (err) {
    if (token === detailsRequest) details.showError(err instanceof Error ? err.message : String(err));
    reportError(err, 'Details');
  }
}

function showLinkDetails(edge: EdgeSingular): void {
  ++detailsRequest;
  const ref = (n: NodeSingular) => ({ id: n.id(), label: String(n.data('label')), type: String(n.data('type')) });
  details.showLink(edge.data() as EdgeData, ref(edge.source()), ref(edge.target()));
}

let highlighted = cy.collection();
let faded = cy.collection();

/** Emphasises the selection's neighbourhood; on small canvases everything else also steps back. */
function highlightNeighbourhood(): void {
  const selected = cy.elements(':selected');
  cy.batch(() => {
    highlighted.removeClass('hl');
    faded.removeClass('faded');
    highlighted = cy.collection();
    faded = cy.collection();
    if (selected.empty()) return;
    highlighted = selected.nodes().closedNeighborhood().union(selected.edges().connectedNodes()).union(selected);
    highlighted.addClass('hl');
    if (detailLevel(cy) === 'detail') {
      faded = cy.elements().not(highlighted);
      faded.addClass('faded');
    }
  });
}

cy.on('tap', 'node', (ev) => void showEntityDetails((ev.target as NodeSingular).id()));
cy.on('tap', 'edge', (ev) => showLinkDetails(ev.target as EdgeSingular));
cy.on('tap', (ev) => {
  if (ev.target === cy) {
    ++detailsRequest;
    details.clear();
  }
});
cy.on('dbltap', 'node', (ev) => void expand((ev.target as NodeSingular).id()));
cy.on('select unselect', () => highlightNeighbourhood());

// ---------------------------------------------------------------- cases and overview

let caseLoad = 0;

async function loadCase(name: string): Promise<void> {
  const token = ++caseLoad;
  state.caseName = name;
  capNotices.clear();
  details.clear();
  if (caseSelect.value !== name) caseSelect.value = name;
  const summary = state.cases.find((c) => c.name === name);
  caseMeta.textContent = summary ? `${plural(summary.sources, 'source')} · ${plural(summary.entities, 'entity', 'entities')}` : '';
  document.title = `${name} — Casegraph`;
  const view = await tracked(state, () => api.overview(name, OVERVIEW_LIMIT));
  if (token !== caseLoad) return; // another case was picked meanwhile
  replaceAll(cy, view);
  applyHidden(cy.nodes());
  await relayout(cy.elements());
  if (view.capped) {
    capNotices.set({
      key: 'overview',
      text: `Overview capped: showing ${view.entities.length.toLocaleString('en')} of ${(view.total ?? view.entities.length).toLocaleString('en')} entities (cap ${(view.cap ?? OVERVIEW_LIMIT).toLocaleString('en')}). Search or expand to bring in the rest.`,
    });
  }
}

async function loadCases(): Promise<void> {
  state.cases = await tracked(state, () => api.cases());
  replaceChildren(caseSelect, ...state.cases.map((c) => h('option', { value: c.name }, c.name)));
  caseSelect.disabled = state.cases.length === 0;
}

caseSelect.addEventListener('change', () => {
  const name = caseSelect.value;
  caseToUrl(name);
  loadCase(name).catch((err) => reportError(err, `Case ${name}`));
});

// ---------------------------------------------------------------- expand, search, focus

function capKey(id: string): string {
  return `expand:${id}`;
}

/** Reports a capped neighbour page and offers the next one; clears the notice when everything is in. */
function noteCap(anchorId: string, view: GraphView, offset: number): void {
  const key = capKey(anchorId);
  if (!view.capped) {
    capNotices.remove(key);
    return;
  }
  const total = view.total ?? 0;
  const cap = view.cap ?? EXPAND_LIMIT;
  const shown = Math.min(total, offset + cap);
  const remaining = Math.max(0, total - shown);
  const label = String(cy.getElementById(anchorId).data('label') ?? anchorId);
  capNotices.set({
    key,
    text: `${label}: showing ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} neighbours (cap ${cap.toLocaleString('en')})`,
    more: remaining > 0 ? { label: `${Math.min(cap, remaining).toLocaleString('en')} more`, run: () => expand(anchorId, offset + cap) } : undefined,
  });
}

/** Adds the neighbours of `id` (one page from `offset`) around it. */
async function expand(id: string, offset = 0): Promise<void> {
  const anchor = cy.getElementById(id);
  if (!anchor.isNode()) return;
  try {
    const view = await tracked(state, () => api.neighbours(id, { depth: 1, limit: EXPAND_LIMIT, offset }));
    if (!cy.getElementById(id).isNode()) return; // the case changed meanwhile
    const { nodes, edges } = mergeView(cy, view, anchor);
    applyHidden(nodes);
    refreshCounts();
    noteCap(id, view, offset);
    const label = String(anchor.data('label'));
    if (nodes.length === 0 && edges.length === 0) {
      toasts.show(`All neighbours of ${label} are already on the canvas`);
    } else {
      toasts.show(`${label}: added ${plural(nodes.length, 'entity', 'entities')} and ${plural(edges.length, 'link')}`, 'success');
    }
    if (nodes.some((n) => !inViewport(cy, n as NodeSingular))) fitView(cy, anchor.union(nodes), 60);
    highlightNeighbourhood();
  } catch (err) {
    reportError(err, 'Expand');
  }
}

/** Brings entity `id` onto the canvas (with its neighbours) if absent, then selects and centres it. */
async function focusEntity(id: string): Promise<void> {
  try {
    let detail: EntityDetail | undefined;
    if (!cy.getElementById(id).isNode()) {
      detail = await tracked(state, () => api.entity(id));
      const view = await tracked(state, () => api.neighbours(id, { depth: 1, limit: EXPAND_LIMIT, offset: 0 }));
      const seed = view.entities.find((e) => e.id === id) ?? detail;
      const present = cy.nodes().filter((n) => view.entities.some((e) => e.id === n.id()));
      const extent = cy.extent();
      const node = cy.add(nodeElement(seed)).nodes()[0] as NodeSingular;
      // near the neighbours it already has on the canvas, or in the middle of the view
      if (present.nonempty()) placeAround(cy, present.first() as NodeSingular, node);
      else node.position({ x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 });
      const merged = mergeView(cy, view, node);
      applyHidden(node.union(merged.nodes));
      refreshCounts();
      highlightNeighbourhood();
      noteCap(id, view, 0);
    }
    const target = cy.getElementById(id) as NodeSingular;
    if (target.hasClass('type-hidden')) legendShow(String(target.data('type')));
    focusNode(cy, target);
    await showEntityDetails(id, detail);
  } catch (err) {
    reportError(err, 'Open entity');
  }
}

function legendShow(type: string): void {
  state.hiddenTypes.delete(type);
  cy.batch(() => cy.nodes().filter((n) => n.data('type') === type).removeClass('type-hidden'));
  refreshCounts();
}

createSearch(byId<HTMLInputElement>('search-input'), byId('search-results'), api, {
  onChoose: (hit) => void focusEntity(hit.id),
  onError: (message) => toasts.show(`Search: ${message}`, 'error'),
});

// ---------------------------------------------------------------- toolbar

/** Lays out `eles` (everything visible by default) with fcose; body[data-layout] records the quality. */
async function relayout(eles = cy.elements(':visible')): Promise<void> {
  const quality = await layoutAll(cy, eles);
  if (quality) document.body.dataset.layout = quality;
  refreshCounts();
}

byId('btn-relayout').addEventListener('click', () => void tracked(state, () => relayout()));
byId('btn-fit').addEventListener('click', () => fitView(cy));

const importInput = byId<HTMLInputElement>('import-input');
byId('btn-import').addEventListener('click', () => importInput.click());
importInput.addEventListener('change', () => {
  const files = [...(importInput.files ?? [])];
  importInput.value = '';
  if (files.length) void importFiles(files);
});

async function importFiles(files: File[]): Promise<void> {
  let changed = false;
  for (const file of files) {
    try {
      const res = await tracked(state, () => api.importFile(file.name, file, state.caseName ?? undefined));
      if (res.status === 'already_imported') {
        toasts.show(`${file.name}: already imported into ${res.case}`);
        continue;
      }
      changed = true;
      const e = res.entities;
      const l = res.links;
      toasts.show(`${file.name} → ${res.case}: ${e.created} new / ${e.merged} merged entities, ${l.created} new / ${l.merged} merged links`, 'success');
      for (const w of res.warnings.slice(0, 3)) toasts.show(`${file.name}: ${w}`);
    } catch (err) {
      reportError(err, `Import ${file.name}`);
    }
  }
  if (changed) {
    try {
      await loadCases();
      const name = state.caseName && state.cases.some((c) => c.name === state.caseName) ? state.caseName : state.cases[0]?.name;
      if (name) await loadCase(name);
    } catch (err) {
      reportError(err);
    }
  }
}

document.addEventListener('keydown', (ev) => {
  const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement || ev.target instanceof HTMLSelectElement;
  if (ev.key === '/' && !typing) {
    ev.preventDefault();
    byId('search-input').focus();
  } else if (ev.key === 'Escape' && !typing) {
    cy.elements(':selected').unselect();
    details.clear();
  }
});

// ---------------------------------------------------------------- start

async function showStore(): Promise<void> {
  try {
    const health = await api.health();
    byId('store-info').textContent = `Store: ${health.store.store} · ${health.store.status}${health.store.version ? ` · ${health.store.version}` : ''}`;
  } catch {
    byId('store-info').textContent = 'Store: unreachable';
  }
}

async function start(): Promise<void> {
  void showStore();
  try {
    await loadCases();
    const wanted = caseFromUrl();
    const name = wanted && state.cases.some((c) => c.name === wanted) ? wanted : state.cases[0]?.name;
    if (wanted && name !== wanted) toasts.show(`Case “${wanted}” not found${name ? `; showing ${name}` : ''}`, 'error');
    if (name) await loadCase(name);
    refreshCounts();
    document.body.dataset.ready = 'true';
  } catch (err) {
    refreshCounts();
    reportError(err, 'Loading');
    document.body.dataset.ready = 'error';
  }
}

window.__casegraph = { cy, api, ready: start() };
