// Entry point of the explorer: wires the API client, the cytoscape canvas and the panels, and owns the
// interactions (open a case, select, search-and-focus, expand, import, context menu and keyboard, paths,
// notes and merges) and the view's history (undo/redo) and URL state. The only module with side effects
// at load.
import type { CollectionArgument, Core, EdgeSingular, NodeSingular } from 'cytoscape';
import { ApiError, createApi, isAbort, type Api, type EntityDetail, type GraphView } from './api.ts';
import { byId, h, replaceChildren } from './dom.ts';
import { caseFromUrl, caseToUrl, createState, intFromUrl, tracked } from './state.ts';
import { countByType, nodeElement, type EdgeData } from './graph/elements.ts';
import { createCy, detailLevel, fitView, focusNode, inViewport, isLayoutName, LAYOUTS, mergeView, placeAround, placeOnPaths, replaceAll, runLayout, updateDetailLevel, type LayoutName } from './graph/cy.ts';
import { createLegend } from './panels/legend.ts';
import { createDetails } from './panels/details.ts';
import { createSearch } from './panels/search.ts';
import { createCapNotices, createToasts } from './panels/notices.ts';
import { plural } from './format.ts';
import { createImportClient, type CrossDeviceHit, type ImportOutcome } from './api.ts';
import { createImportDialog } from './panels/import.ts';
import { createHitsPanel } from './panels/hits.ts';
import { ENTITY_TYPES, LINK_TYPES } from '../../backend/src/model/ontology.ts';
import { UndoStack } from './view/history.ts';
import { applyTypeFilters, captureSnapshot, ElementRegistry, restoreSnapshot, setPinned, type CanvasSnapshot } from './view/canvas-state.ts';
import { decodeViewState, encodedFromFragment, encodeViewState, fragmentFor, newStoreKey, parseFragment, type KeyValueStore, type ViewState } from './view/url-state.ts';
import { openContextMenu, type MenuItem } from './panels/context-menu.ts';
import { describeFilter, openExpandFilter, type ExpandFilter } from './panels/expand-filter.ts';
import { closeFloating, floatingOpen } from './panels/floating.ts';
import { createHelp } from './panels/help.ts';
import { createPathsPanel, type EntityRef, type PathsOutcome } from './panels/paths.ts';
import { createUserMenu, refusedTitle, roleCan, type Capability } from './panels/user.ts';
import { createAuthClient, onSessionLost, type Me } from './api.ts';
import { createSignIn } from './panels/sign-in.ts';
import { createAdminView } from './panels/admin.ts';
import { createExchangeClient, type OpenedSnapshot } from './api.ts';
import { createExportDialog } from './panels/export.ts';
import { createSnapshotDialog, snapshotView } from './panels/snapshot.ts';
import { createMapPanel } from './panels/map.ts';
import { createKeyPlayersPanel } from './panels/key-players.ts';
import { createKeyPlayersClient } from './api.ts';
import { createTextReview } from './panels/text-review.ts';
import type { AppliedText } from './api.ts';
import { createTimelineClient, type AnalysisScope } from './api.ts';
import { createTimeline } from './panels/timeline.ts';
import { createDiffPanel } from './panels/diff.ts';

/** Neighbours fetched per expansion page; `?expandLimit=` overrides it (tests, very slow machines). */
const EXPAND_LIMIT = intFromUrl('expandLimit', 500, 1, 5000);
/** Entities fetched for a case overview. */
const OVERVIEW_LIMIT = 2000;
/** Selected entities the E key expands in one go (each is one request). */
const MAX_EXPAND_AT_ONCE = 25;

declare global {
  interface Window {
    __casegraph?: { cy: Core; ready: Promise<void>; api: Api; actions: TestActions };
  }
}

/** Hooks for tests and benchmarks (the same functions the UI calls). */
interface TestActions {
  expand(id: string, filter?: ExpandFilter): Promise<void>;
  undo(): void;
  redo(): void;
  /** writes the view into the URL now (normally debounced) */
  saveView(): Promise<void>;
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
    const hide = !state.hiddenTypes.has(type);
    if (hide) state.hiddenTypes.add(type);
    else state.hiddenTypes.delete(type);
    applyTypeFilters(cy, state, cy.nodes().filter((n) => n.data('type') === type));
    if (hide) cy.nodes(':selected').filter('.type-hidden').unselect();
    refreshCounts();
    commit(`${hide ? 'Hide' : 'Show'} ${type} entities`);
  },
  onToggleLinkType(type) {
    const hide = !state.hiddenLinkTypes.has(type);
    if (hide) state.hiddenLinkTypes.add(type);
    else state.hiddenLinkTypes.delete(type);
    applyTypeFilters(cy, state, cy.edges().filter((e) => e.data('type') === type));
    refreshCounts();
    commit(`${hide ? 'Hide' : 'Show'} ${type} links`);
  },
  onSelectType(kind, type) {
    selectOnly(cy.elements(':visible').filter((e) => (kind === 'entity' ? e.isNode() : e.isEdge()) && e.data('type') === type));
  },
});

/** Applies the type filters to freshly added elements. */
function applyHidden(eles: CollectionArgument): void {
  if (state.hiddenTypes.size || state.hiddenLinkTypes.size) applyTypeFilters(cy, state, eles);
}

function refreshCounts(): void {
  const level = updateDetailLevel(cy);
  document.body.dataset.detail = level;
  const nodes = cy.nodes();
  const edges = cy.edges();
  const hidden = nodes.filter('.type-hidden, .hidden').length;
  const hiddenLinks = edges.filter('.link-hidden, .hidden').length;
  const pinned = nodes.filter('.pinned').length;
  const parts = [plural(nodes.length, 'entity', 'entities'), plural(edges.length, 'link')];
  if (hidden) parts.push(`${hidden.toLocaleString('en')} hidden`);
  if (hiddenLinks) parts.push(`${plural(hiddenLinks, 'link')} hidden`);
  if (pinned) parts.push(`${pinned.toLocaleString('en')} pinned`);
  document.body.dataset.hiddenCount = String(hidden);
  statusBar.textContent = parts.join(' · ');
  document.body.dataset.entityCount = String(nodes.length);
  document.body.dataset.linkCount = String(edges.length);
  legend.update(
    {
      entities: countByType(nodes.map((n) => n.data('type') as string), ENTITY_TYPES),
      links: countByType(edges.map((e) => e.data('type') as string), LINK_TYPES),
    },
    state.hiddenTypes,
    state.hiddenLinkTypes,
  );
  emptyState.hidden = nodes.length > 0 || state.pending > 0;
}

// ---------------------------------------------------------------- selection and details

let detailsRequest = 0;

const details = createDetails(byId('details'), {
  onExpand: (id) => void expand(id),
  onFocusEntity: (id) => void focusEntity(id),
  onAddNote: (id, text) => addNote(id, text),
  onMerge: (keep, other, reason) => mergeEntities(keep, other, reason),
  onUnmerge: (annotationId, keepId, merged) => unmergeEntity(annotationId, keepId, merged),
  mergeCandidates: (id, type) => selectedRefs().filter((r) => r.id !== id && r.type === type),
  writeRefusal: (action) => refusal('write', action),
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

// selecting many elements at once emits one event each: react once, after the last
let selectionQueued = false;
cy.on('select unselect', () => {
  if (selectionQueued) return;
  selectionQueued = true;
  queueMicrotask(() => {
    selectionQueued = false;
    highlightNeighbourhood();
    paths.selectionChanged();
  });
});

/** Node ids in the order they were selected (the Paths panel takes From and To from it). */
let selectionOrder: string[] = [];
cy.on('select', 'node', (ev) => {
  const id = (ev.target as NodeSingular).id();
  selectionOrder = selectionOrder.filter((x) => x !== id);
  selectionOrder.push(id);
});

function refOf(n: NodeSingular): EntityRef {
  return { id: n.id(), label: String(n.data('label')), type: String(n.data('type')) };
}

/** The selected entities, in selection order. */
function selectedRefs(): EntityRef[] {
  const selected = cy.nodes(':selected');
  const ids = new Set(selected.map((n) => n.id()));
  selectionOrder = selectionOrder.filter((id) => ids.has(id));
  for (const id of ids) if (!selectionOrder.includes(id)) selectionOrder.push(id);
  return selectionOrder.map((id) => refOf(cy.getElementById(id) as NodeSingular));
}

function selectOnly(which: CollectionArgument): void {
  const eles = cy.collection().union(which);
  cy.batch(() => {
    cy.elements(':selected').difference(eles).unselect();
    eles.select();
  });
}

// ---------------------------------------------------------------- cases and overview

let caseLoad = 0;

/** Opens case `name`: its overview laid out, or the `saved` view of it (from the URL) as it was. */
async function loadCase(name: string, saved?: ViewState): Promise<void> {
  const token = ++caseLoad;
  if (state.caseName !== name) storeKey = null;
  state.caseName = name;
  caseLoading = true;
  pathsCleared();
  paths.reset();
  mapPanel.caseChanged();
  keyPlayersPanel.caseChanged();
  timeline.reset();
  diffPanel.reset();
  capNotices.clear();
  details.clear();
  if (caseSelect.value !== name) caseSelect.value = name;
  const summary = state.cases.find((c) => c.name === name);
  caseMeta.textContent = summary ? `${plural(summary.sources, 'source')} · ${plural(summary.entities, 'entity', 'entities')}` : '';
  document.title = `${name} — Casegraph`;
  void hits.load(name);
  try {
    if (saved) await openSavedView(saved, token);
    else await openOverview(name, token);
  } finally {
    if (token === caseLoad) caseLoading = false;
  }
}

/** The case's overview (capped), laid out with fcose. */
async function openOverview(name: string, token: number): Promise<void> {
  const view = await tracked(state, () => api.overview(name, OVERVIEW_LIMIT));
  if (token !== caseLoad) return; // another case was picked meanwhile
  registry.clear();
  replaceAll(cy, view);
  applyHidden(cy.elements());
  layoutSelect.value = 'fcose';
  await relayout(cy.elements(':visible'), 'fcose');
  resetHistory();
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

function capKey(id: string, filter: ExpandFilter = {}): string {
  const f = describeFilter(filter);
  return f ? `expand:${id}:${f}` : `expand:${id}`;
}

/** Reports a capped neighbour page and offers the next one; clears the notice when everything is in. */
function noteCap(anchorId: string, view: GraphView, offset: number, filter: ExpandFilter = {}): void {
  const key = capKey(anchorId, filter);
  if (!view.capped) {
    capNotices.remove(key);
    return;
  }
  const total = view.total ?? 0;
  const cap = view.cap ?? EXPAND_LIMIT;
  const shown = Math.min(total, offset + cap);
  const remaining = Math.max(0, total - shown);
  const label = String(cy.getElementById(anchorId).data('label') ?? anchorId);
  const f = describeFilter(filter);
  capKeys.add(key);
  capNotices.set({
    key,
    text: `${label}${f ? ` (${f})` : ''}: showing ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} neighbours (cap ${cap.toLocaleString('en')})`,
    more: remaining > 0 ? { label: `${Math.min(cap, remaining).toLocaleString('en')} more`, run: async () => void (await expand(anchorId, offset + cap, filter)) } : undefined,
  });
}

/**
 * Adds the neighbours of `id` (one page from `offset`, optionally only some entity and link types) around
 * it; new nodes are placed incrementally, nothing else moves. Records an undo step unless `record` is off
 * (the caller records one step for several expansions).
 */
async function expand(id: string, offset = 0, filter: ExpandFilter = {}, record = true): Promise<number> {
  const anchor = cy.getElementById(id);
  if (!anchor.isNode()) return 0;
  try {
    const view = await tracked(state, () =>
      api.neighbours(id, { depth: 1, limit: EXPAND_LIMIT, offset, entityTypes: filter.entityTypes, linkTypes: filter.linkTypes }),
    );
    if (!cy.getElementById(id).isNode()) return 0; // the case changed meanwhile
    const { nodes, edges } = mergeView(cy, view, anchor);
    applyHidden(nodes.union(edges));
    refreshCounts();
    noteCap(id, view, offset, filter);
    const label = String(anchor.data('label'));
    const f = describeFilter(filter);
    if (nodes.length === 0 && edges.length === 0) {
      toasts.show(`All ${f ? `${f} ` : ''}neighbours of ${label} are already on the canvas`);
    } else {
      toasts.show(`${label}: added ${plural(nodes.length, 'entity', 'entities')} and ${plural(edges.length, 'link')}${f ? ` (${f})` : ''}`, 'success');
      if (record) commit(`Expand ${label}`);
    }
    if (nodes.some((n) => !inViewport(cy, n as NodeSingular))) fitView(cy, anchor.union(nodes), 60);
    highlightNeighbourhood();
    return nodes.length + edges.length;
  } catch (err) {
    reportError(err, 'Expand');
    return 0;
  }
}

/** Expands every selected entity (the E key), as one undo step. */
async function expandSelection(filter: ExpandFilter = {}): Promise<void> {
  const ids = selectedRefs().map((r) => r.id);
  if (ids.length === 0) {
    toasts.show('Select an entity to expand (click it, or Shift+click several)');
    return;
  }
  if (ids.length > MAX_EXPAND_AT_ONCE) {
    toasts.show(`${plural(ids.length, 'entity', 'entities')} selected: expand at most ${MAX_EXPAND_AT_ONCE} at once`, 'error');
    return;
  }
  let added = 0;
  for (const id of ids) added += await expand(id, 0, filter, ids.length === 1);
  if (ids.length > 1 && added > 0) commit(`Expand ${plural(ids.length, 'entity', 'entities')}`);
}

/** Opens the type filter for expanding `node`, beside it. */
function expandWithFilters(node: NodeSingular, at?: { x: number; y: number }): void {
  openExpandFilter(at ?? clientPoint(node), refOf(node), EXPAND_LIMIT, (filter) => void expand(node.id(), 0, filter));
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
      applyHidden(node.union(merged.nodes).union(merged.edges));
      refreshCounts();
      highlightNeighbourhood();
      noteCap(id, view, 0);
      commit(`Add ${seed.label}`);
    }
    const target = cy.getElementById(id) as NodeSingular;
    if (target.hasClass('type-hidden')) legendShow(String(target.data('type')));
    if (target.hasClass('hidden')) {
      target.removeClass('hidden');
      refreshCounts();
      commit(`Show ${String(target.data('label'))}`);
    }
    focusNode(cy, target);
    await showEntityDetails(id, detail);
  } catch (err) {
    reportError(err, 'Open entity');
  }
}

function legendShow(type: string): void {
  state.hiddenTypes.delete(type);
  applyTypeFilters(cy, state, cy.nodes().filter((n) => n.data('type') === type));
  refreshCounts();
  commit(`Show ${type} entities`);
}

createSearch(byId<HTMLInputElement>('search-input'), byId('search-results'), api, {
  onChoose: (hit) => void focusEntity(hit.id),
  onError: (message) => toasts.show(`Search: ${message}`, 'error'),
});

// ---------------------------------------------------------------- toolbar

const layoutSelect = byId<HTMLSelectElement>('layout-select');
replaceChildren(layoutSelect, ...Object.entries(LAYOUTS).map(([name, label]) => h('option', { value: name }, label)));

function currentLayout(): LayoutName {
  return isLayoutName(layoutSelect.value) ? layoutSelect.value : 'fcose';
}

/**
 * Lays out `eles` (everything visible by default) with the chosen layout; body[data-layout] records what
 * ran (fcose: its quality, 'default' or 'draft'; otherwise the layout's name).
 */
async function relayout(eles = cy.elements(':visible'), name: LayoutName = currentLayout()): Promise<void> {
  const ran = await runLayout(cy, name, eles, cy.nodes(':selected'));
  if (ran) document.body.dataset.layout = ran.startsWith('fcose ') ? ran.slice(6) : ran;
  refreshCounts();
}

/** The toolbar's layout action: one undo step that also restores the camera. */
async function layoutAction(name: LayoutName = currentLayout()): Promise<void> {
  if (layoutSelect.value !== name) layoutSelect.value = name;
  await tracked(state, () => relayout(cy.elements(':visible'), name));
  commit(`${LAYOUTS[name]} layout`, true);
}

byId('btn-relayout').addEventListener('click', () => void layoutAction());
layoutSelect.addEventListener('change', () => void layoutAction());
byId('btn-fit').addEventListener('click', () => fitView(cy));

// ---------------------------------------------------------------- import dialog and cross-device hits

const importClient = createImportClient();

/** After an import: the case list (and its counts) again, and the hits of the case on show. */
async function afterImport(outcome: ImportOutcome): Promise<void> {
  await loadCases();
  if (state.caseName) caseSelect.value = state.caseName;
  if (outcome.case === state.caseName) await hits.refresh();
}

/** "Show in graph": opens the imported case (reloading its overview with the new entities). */
async function showImported(outcome: ImportOutcome): Promise<void> {
  try {
    caseToUrl(outcome.case);
    await loadCase(outcome.case);
  } catch (err) {
    reportError(err, `Case ${outcome.case}`);
  }
}

const importDialog = createImportDialog(importClient, {
  currentCase: () => state.caseName,
  caseNames: () => state.cases.map((c) => c.name),
  onImported: afterImport,
  onShow: showImported,
  notify: (message, kind) => toasts.show(message, kind),
  refusal: () => refusal('write', 'import'),
});
byId('btn-import').setAttribute('aria-haspopup', 'dialog');
byId('btn-import').addEventListener('click', () => importDialog.open());

/**
 * After a text apply: what an import's "Show in graph" does (case list and overview again), then the applied
 * entities selected and in view — fetched when the capped overview left them out.
 */
async function showTextApplied(result: AppliedText): Promise<void> {
  await loadCases();
  caseToUrl(result.case);
  await loadCase(result.case);
  // the server names the entity each accepted candidate became (merge targets included)
  const ids = new Set(Object.values(result.entityIds).slice(0, 500));
  const missing = [...ids].filter((id) => !cy.getElementById(id).isNode());
  if (missing.length) {
    const added = mergeView(cy, await tracked(state, () => api.subgraph(missing)));
    applyHidden(added.nodes.union(added.edges));
    refreshCounts();
    resetHistory();
  }
  const shown = cy.nodes().filter((n) => ids.has(n.id()));
  selectOnly(shown);
  revealBesidePanel(shown);
}

const textReview = createTextReview(api, {
  currentCase: () => state.caseName,
  caseNames: () => state.cases.map((c) => c.name),
  onApplied: showTextApplied,
  notify: (message, kind) => toasts.show(message, kind),
});
byId('btn-text-import').setAttribute('aria-haspopup', 'dialog');
byId('btn-text-import').addEventListener('click', () => textReview.open());

/** A cross-device hit clicked: the entity and its neighbours on the canvas, focused. */
async function openHit(hit: CrossDeviceHit): Promise<void> {
  if (cy.getElementById(hit.id).isNode()) await expand(hit.id);
  await focusEntity(hit.id);
}

const hits = createHitsPanel(byId('hits'), importClient, { onOpen: (hit) => void openHit(hit) });

document.addEventListener('keydown', (ev) => {
  const t = ev.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
  if (typing || help.isOpen() || signIn.isOpen() || ev.defaultPrevented) return;
  if (keyAction(ev)) ev.preventDefault();
});

// ---------------------------------------------------------------- view history (undo/redo) and URL state

const registry = new ElementRegistry();
const undoStack = new UndoStack<CanvasSnapshot>(100);
const undoBtn = byId<HTMLButtonElement>('btn-undo');
const redoBtn = byId<HTMLButtonElement>('btn-redo');
/** cap notices of expansions: an undo makes their "N more" offsets stale */
const capKeys = new Set<string>();

function snapshot(): CanvasSnapshot {
  return captureSnapshot(cy, state, registry);
}

/** Records a view action as one undo step (`viewport`: the action moved the camera, e.g. a layout). */
function commit(label: string, viewport = false): void {
  undoStack.commit(label, snapshot(), viewport);
  viewChanged();
}

/** The canvas as it is now is where undo starts (a case opened, a view restored, a merge recorded). */
function resetHistory(): void {
  undoStack.reset(snapshot());
  viewChanged();
}

function viewChanged(): void {
  const u = undoStack.undoLabel;
  const r = undoStack.redoLabel;
  undoBtn.disabled = u === null;
  redoBtn.disabled = r === null;
  undoBtn.title = u ? `Undo: ${u} (Ctrl+Z)` : 'Nothing to undo';
  redoBtn.title = r ? `Redo: ${r} (Ctrl+Shift+Z)` : 'Nothing to redo';
  document.body.dataset.undo = String(undoStack.depth.undo);
  document.body.dataset.redo = String(undoStack.depth.redo);
  scheduleViewWrite();
}

function applySnapshot(snap: CanvasSnapshot, viewport: boolean): void {
  restoreSnapshot(cy, snap, registry, state, viewport);
  for (const key of capKeys) capNotices.remove(key);
  capKeys.clear();
  if (details.current() && cy.getElementById(details.current()!).empty()) details.clear();
  refreshCounts();
  highlightNeighbourhood();
  paths.selectionChanged();
  viewChanged();
}

function undo(): void {
  const entry = undoStack.undo();
  if (!entry) {
    toasts.show('Nothing to undo');
    return;
  }
  applySnapshot(entry.before, entry.viewport);
  toasts.show(`Undone: ${entry.label}`);
}

function redo(): void {
  const entry = undoStack.redo();
  if (!entry) {
    toasts.show('Nothing to redo');
    return;
  }
  applySnapshot(entry.after, entry.viewport);
  toasts.show(`Redone: ${entry.label}`);
}

undoBtn.addEventListener('click', () => undo());
redoBtn.addEventListener('click', () => redo());

// dragging several selected nodes ends with one dragfree per node: one undo step for all of them
let moveQueued = false;
cy.on('dragfree', 'node', () => {
  if (moveQueued) return;
  moveQueued = true;
  queueMicrotask(() => {
    moveQueued = false;
    commit('Move entities');
  });
});

function storage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A case is being opened: the canvas does not match state.caseName yet. */
let caseLoading = false;
/** localStorage key of this tab's view when it is too long for the URL. */
let storeKey: string | null = null;
let viewTimer: ReturnType<typeof setTimeout> | undefined;
let viewWrites = 0;

function currentViewState(): ViewState | null {
  if (!state.caseName) return null;
  const snap = snapshot();
  return {
    case: state.caseName,
    nodes: snap.nodes,
    xy: Array.from(snap.xy),
    zoom: snap.zoom,
    pan: snap.pan,
    hiddenTypes: snap.hiddenTypes,
    hiddenLinkTypes: snap.hiddenLinkTypes,
    hidden: snap.hidden,
    pinned: snap.pinned,
    layout: currentLayout(),
  };
}

/** Writes the view into the URL fragment (or localStorage, keyed from the fragment, when too long). */
async function writeViewNow(): Promise<void> {
  clearTimeout(viewTimer);
  // while a case opens, the canvas still shows the previous one: try again after
  if (caseLoading) return scheduleViewWrite();
  const view = currentViewState();
  if (!view || document.body.dataset.ready !== 'true') return;
  const n = ++viewWrites;
  const encoded = await encodeViewState(view);
  if (n !== viewWrites) return; // a newer write is under way
  const fragment = fragmentFor(encoded, storage(), (storeKey ??= newStoreKey()));
  const url = new URL(location.href);
  url.searchParams.set('case', view.case);
  url.hash = fragment;
  history.replaceState(null, '', url);
  writtenHash = url.hash;
  document.body.dataset.view = 'saved';
}

/** The fragment this page wrote last: a different one comes from the user (a pasted link). */
let writtenHash = '';

window.addEventListener('hashchange', () => {
  if (location.hash === writtenHash || document.body.dataset.ready !== 'true') return;
  void (async () => {
    const saved = await savedViewFromUrl();
    if (!saved) return;
    if (!state.cases.some((c) => c.name === saved.case)) return void toasts.show(`The view in the link belongs to case “${saved.case}”, which this store does not have`, 'error');
    try {
      await loadCase(saved.case, saved);
    } catch (err) {
      reportError(err, 'Open view');
    }
  })();
});

function scheduleViewWrite(): void {
  if (document.body.dataset.view !== 'dirty') document.body.dataset.view = 'dirty';
  clearTimeout(viewTimer);
  viewTimer = setTimeout(() => void writeViewNow(), 300);
}

cy.on('viewport', () => {
  if (document.body.dataset.ready === 'true') scheduleViewWrite();
});

/** The view a `#v=` or `#s=` fragment describes, or null (with a notice when it cannot be read). */
async function savedViewFromUrl(): Promise<ViewState | null> {
  const fragment = parseFragment(location.hash);
  if (!fragment) return null;
  const encoded = encodedFromFragment(fragment, storage());
  const view = encoded ? await decodeViewState(encoded) : null;
  if (!view) {
    toasts.show(fragment.kind === 'stored' ? 'The view in this link was saved in another browser; showing the case overview' : 'The view in this link could not be read; showing the case overview', 'error');
    return null;
  }
  if (fragment.kind === 'stored') storeKey = fragment.key;
  return view;
}

/** Puts a saved view back: its entities (and the links among them) where they were, filters, pins, camera. */
async function openSavedView(saved: ViewState, token: number): Promise<void> {
  const view = await tracked(state, () => api.subgraph(saved.nodes));
  if (token !== caseLoad) return;
  registry.clear();
  replaceAll(cy, view);
  const pos = new Map(saved.nodes.map((id, i) => [id, { x: saved.xy[2 * i], y: saved.xy[2 * i + 1] }]));
  state.hiddenTypes = new Set(saved.hiddenTypes);
  state.hiddenLinkTypes = new Set(saved.hiddenLinkTypes);
  if (saved.layout && isLayoutName(saved.layout)) layoutSelect.value = saved.layout;
  // an entity the view did not list (the canonical one of a merge made since) goes to the view's centre
  const n = Math.max(1, saved.nodes.length);
  const centre = { x: saved.xy.reduce((a, v, i) => (i % 2 ? a : a + v), 0) / n, y: saved.xy.reduce((a, v, i) => (i % 2 ? a + v : a), 0) / n };
  cy.batch(() => {
    cy.nodes().positions((node) => pos.get((node as NodeSingular).id()) ?? centre);
    for (const id of saved.hidden) cy.getElementById(id).addClass('hidden');
    const pinned = cy.collection();
    for (const id of saved.pinned) pinned.merge(cy.getElementById(id));
    setPinned(pinned.nodes(), true);
    applyTypeFilters(cy, state);
  });
  cy.viewport({ zoom: saved.zoom, pan: saved.pan });
  const missing = saved.nodes.filter((id) => !cy.getElementById(id).isNode()).length;
  if (missing) toasts.show(`${plural(missing, 'entity', 'entities')} of the saved view ${missing === 1 ? 'is' : 'are'} no longer in the store (merged or removed)`);
  document.body.dataset.layout = 'restored';
  refreshCounts();
  resetHistory();
}

// ---------------------------------------------------------------- export and snapshots

const exchange = createExchangeClient();

const exportDialog = createExportDialog(exchange, {
  cy,
  caseName: () => state.caseName,
  // the view a snapshot carries: what the URL keeps, exact (not rounded), plus the selection
  viewState: () => {
    const view = currentViewState();
    return view ? { ...view, selected: cy.nodes(':selected').map((n) => n.id()) } : null;
  },
  notify: (message, kind) => toasts.show(message, kind),
});
byId('btn-export').setAttribute('aria-haspopup', 'dialog');
byId('btn-export').addEventListener('click', () => exportDialog.open());

/** An opened snapshot: its case and its view back on the canvas exactly as saved (selection included). */
async function restoreOpened(opened: OpenedSnapshot): Promise<string | void> {
  await loadCases();
  const view = snapshotView(opened.view);
  if (!view) {
    if (!opened.entityIds?.length) return 'The file carried no view: open its case to see what it holds.';
    // a readable export without view state: its entities, laid out
    const graph = await tracked(state, () => api.subgraph(opened.entityIds!));
    registry.clear();
    replaceAll(cy, graph);
    applyHidden(cy.elements());
    await relayout(cy.elements(':visible'), 'fcose');
    resetHistory();
    return `No saved view in the file: showing its ${plural(graph.entities.length, 'entity', 'entities')}, laid out.`;
  }
  caseToUrl(view.case);
  await loadCase(view.case, view);
  const chosen = cy.collection();
  for (const id of view.selected) chosen.merge(cy.getElementById(id));
  selectOnly(chosen);
  const missing = view.nodes.filter((id) => !cy.getElementById(id).isNode()).length;
  return missing
    ? `View restored; ${plural(missing, 'entity', 'entities')} of it ${missing === 1 ? 'is' : 'are'} no longer in the store.`
    : `View restored: ${plural(view.nodes.length, 'entity', 'entities')} where they were saved.`;
}

const snapshotDialog = createSnapshotDialog(exchange, { onOpened: restoreOpened });
byId('btn-open-snapshot').setAttribute('aria-haspopup', 'dialog');
byId('btn-open-snapshot').addEventListener('click', () => snapshotDialog.open());

// ---------------------------------------------------------------- canvas actions: hide, remove, pin, select

function selection() {
  return cy.elements(':selected');
}

function hideSelection(): void {
  const sel = selection();
  if (sel.empty()) return void toasts.show('Select what to hide first');
  cy.batch(() => {
    sel.unselect();
    sel.addClass('hidden');
  });
  refreshCounts();
  commit(`Hide ${describe(sel)}`);
}

function showHidden(): void {
  const hidden = cy.elements('.hidden');
  if (hidden.empty()) return void toasts.show('Nothing is hidden one by one (type filters are in the legend)');
  hidden.removeClass('hidden');
  refreshCounts();
  commit(`Show ${describe(hidden)}`);
}

function removeSelection(): void {
  const sel = selection();
  if (sel.empty()) return void toasts.show('Select what to remove first');
  const label = describe(sel);
  cy.remove(sel);
  if (details.current() && cy.getElementById(details.current()!).empty()) details.clear();
  refreshCounts();
  commit(`Remove ${label}`);
}

function togglePin(nodes = selection().nodes()): void {
  if (nodes.empty()) return void toasts.show('Select the entities to pin first');
  const pin = nodes.filter((n) => !n.locked()).nonempty();
  setPinned(nodes, pin);
  refreshCounts();
  commit(`${pin ? 'Pin' : 'Unpin'} ${describe(nodes)}`);
}

/** Selects every visible entity of the types selected now (the T key). */
function selectSameTypes(): void {
  const types = new Set(selection().nodes().map((n) => String(n.data('type'))));
  if (types.size === 0) return void toasts.show('Select an entity first: T selects all entities of its type');
  selectOnly(cy.nodes(':visible').filter((n) => types.has(String(n.data('type')))));
}

function describe(which: CollectionArgument): string {
  const eles = cy.collection().union(which);
  if (eles.length === 1) {
    const one = eles[0] as NodeSingular | EdgeSingular;
    return one.isNode() ? String(one.data('label')) : `${String(one.data('type'))} link`;
  }
  const n = eles.nodes().length;
  const e = eles.edges().length;
  return [n ? plural(n, 'entity', 'entities') : '', e ? plural(e, 'link') : ''].filter(Boolean).join(' and ');
}

/** A node's centre in page (client) coordinates. */
function clientPoint(node: NodeSingular): { x: number; y: number } {
  const box = cy.container()!.getBoundingClientRect();
  const p = node.renderedPosition();
  return { x: box.left + p.x + 12, y: box.top + p.y + 12 };
}

// ---------------------------------------------------------------- context menu

byId('cy').addEventListener('contextmenu', (ev) => ev.preventDefault());

function nodeMenu(node: NodeSingular): MenuItem[] {
  if (!node.selected()) {
    selectOnly(node);
    void showEntityDetails(node.id());
  }
  const sel = selectedRefs();
  const me = refOf(node);
  const items: MenuItem[] = [
    { label: sel.length > 1 ? `Expand ${plural(sel.length, 'entity', 'entities')}` : 'Expand neighbours', shortcut: 'E', action: 'expand', run: () => void expandSelection() },
    { label: 'Expand with filters…', shortcut: '⇧E', action: 'expand-filter', run: () => expandWithFilters(node) },
    { separator: true },
  ];
  if (sel.length === 2) {
    items.push({ label: 'Paths between the two selected', shortcut: 'A', action: 'paths', run: () => void findPathsOfSelection() });
  } else {
    items.push({ label: 'Paths from here…', action: 'paths-from', run: () => paths.setEndpoint('from', me) });
    items.push({ label: 'Paths to here…', action: 'paths-to', run: () => paths.setEndpoint('to', me) });
  }
  if (sel.length >= 2) items.push({ label: `Common neighbours of the ${sel.length} selected`, action: 'common', run: () => void (paths.open(), paths.findCommon()) });
  const others = sel.filter((r) => r.id !== me.id);
  if (others.length === 1 && others[0].type === me.type) {
    const other = others[0];
    const refused = refusal('write', 'merge entities');
    items.push({
      label: `Merge “${other.label}” into this…`,
      action: 'merge',
      disabled: refused !== null,
      hint: refused ?? 'The two are the same entity: one node, every source kept; Unmerge splits them again',
      run: () => void mergeEntities(me, other, '').catch((err) => reportError(err, 'Merge')),
    });
  }
  items.push(
    { separator: true },
    { label: `Select all ${me.type}`, shortcut: 'T', action: 'select-type', run: () => selectSameTypes() },
    { label: node.locked() ? 'Unpin' : 'Pin in place', shortcut: 'P', action: 'pin', run: () => togglePin() },
    { label: 'Hide', shortcut: 'H', action: 'hide', run: () => hideSelection() },
    { label: 'Remove from canvas', shortcut: 'Del', action: 'remove', run: () => removeSelection() },
  );
  return items;
}

function edgeMenu(edge: EdgeSingular): MenuItem[] {
  if (!edge.selected()) selectOnly(edge);
  const type = String(edge.data('type'));
  return [
    { label: 'Show details', action: 'details', run: () => showLinkDetails(edge) },
    { label: `Select all ${type} links`, action: 'select-type', run: () => selectOnly(cy.edges(':visible').filter((e) => e.data('type') === type)) },
    { separator: true },
    { label: 'Hide', shortcut: 'H', action: 'hide', run: () => hideSelection() },
    { label: 'Remove from canvas', shortcut: 'Del', action: 'remove', run: () => removeSelection() },
  ];
}

function canvasMenu(): MenuItem[] {
  const hidden = cy.elements('.hidden').length;
  return [
    { label: 'Fit to view', shortcut: 'F', action: 'fit', run: () => fitView(cy) },
    { label: 'Select all', shortcut: 'Ctrl A', action: 'select-all', run: () => selectOnly(cy.elements(':visible')) },
    { label: hidden ? `Show ${plural(hidden, 'hidden element')}` : 'Nothing hidden one by one', shortcut: '⇧H', action: 'show-hidden', disabled: hidden === 0, run: () => showHidden() },
    { heading: 'Layout' },
    ...Object.entries(LAYOUTS).map(([name, label]): MenuItem => ({ label: `${name === currentLayout() ? '✓ ' : ''}${label}`, action: `layout-${name}`, run: () => void layoutAction(name as LayoutName) })),
    { separator: true },
    { label: undoStack.undoLabel ? `Undo ${undoStack.undoLabel}` : 'Undo', shortcut: 'Ctrl Z', action: 'undo', disabled: !undoStack.undoLabel, run: () => undo() },
    { label: undoStack.redoLabel ? `Redo ${undoStack.redoLabel}` : 'Redo', shortcut: 'Ctrl ⇧Z', action: 'redo', disabled: !undoStack.redoLabel, run: () => redo() },
    { label: 'Keyboard shortcuts', shortcut: '?', action: 'help', run: () => help.open() },
  ];
}

cy.on('cxttap', (ev) => {
  const oe = ev.originalEvent as MouseEvent | undefined;
  const box = cy.container()!.getBoundingClientRect();
  const at = oe ? { x: oe.clientX, y: oe.clientY } : { x: box.left + ev.renderedPosition.x, y: box.top + ev.renderedPosition.y };
  const target = ev.target as NodeSingular | EdgeSingular | Core;
  if (target === cy) openContextMenu(at, canvasMenu(), 'Canvas');
  else if ((target as NodeSingular).isNode()) openContextMenu(at, nodeMenu(target as NodeSingular), String((target as NodeSingular).data('label')));
  else openContextMenu(at, edgeMenu(target as EdgeSingular), `${String((target as EdgeSingular).data('type'))} link`);
});

/** The context menu from the keyboard: for the last selected entity, or the canvas. */
function keyboardMenu(): void {
  const last = selectedRefs().at(-1);
  if (last) {
    const node = cy.getElementById(last.id) as NodeSingular;
    openContextMenu(clientPoint(node), nodeMenu(node), last.label);
  } else {
    const edge = cy.edges(':selected').first();
    const box = cy.container()!.getBoundingClientRect();
    if (edge.nonempty()) openContextMenu({ x: box.left + edge.renderedMidpoint().x, y: box.top + edge.renderedMidpoint().y }, edgeMenu(edge as EdgeSingular));
    else openContextMenu({ x: box.left + box.width / 2, y: box.top + box.height / 2 }, canvasMenu(), 'Canvas');
  }
}

// ---------------------------------------------------------------- paths and common neighbours

/** Elements of the last paths / common-neighbours result (what Clear un-highlights). */
let pathResult: string[] = [];

function highlightPath(ids: readonly string[]): void {
  cy.batch(() => {
    cy.elements('.path').removeClass('path');
    for (const id of ids) cy.getElementById(id).addClass('path');
  });
}

function pathsCleared(): void {
  pathResult = [];
  cy.elements('.path').removeClass('path');
}

function showPathResult(outcome: PathsOutcome): void {
  const view = outcome.result.view;
  let added;
  if (outcome.kind === 'paths') {
    const chains = outcome.result.paths.map((p) => p.entities);
    added = mergeView(cy, view, (fresh) => placeOnPaths(cy, chains, fresh));
    pathResult = [...new Set(outcome.result.paths.flatMap((p) => [...p.entities, ...p.links]))];
  } else {
    const anchor = cy.getElementById(outcome.of[0].id) as NodeSingular;
    added = mergeView(cy, view, anchor.isNode() ? anchor : undefined);
    const ends = new Set([...outcome.of.map((r) => r.id), ...outcome.result.common]);
    const links = view.links.filter((l) => ends.has(l.from) && ends.has(l.to) && (outcome.result.common.includes(l.from) || outcome.result.common.includes(l.to)));
    pathResult = [...outcome.result.common, ...links.map((l) => l.id)];
  }
  applyHidden(added.nodes.union(added.edges));
  // what a result shows must be visible: hidden one by one comes back; a type filter is only reported
  const shown = cy.collection();
  for (const id of pathResult) shown.merge(cy.getElementById(id));
  const unhidden = shown.filter('.hidden');
  unhidden.removeClass('hidden');
  const filtered = shown.filter('.type-hidden, .link-hidden').length;
  if (filtered) toasts.show(`${plural(filtered, 'element')} of the result ${filtered === 1 ? 'is' : 'are'} hidden by the type filters in the legend`);
  highlightPath(pathResult);
  refreshCounts();
  if (added.nodes.nonempty() || added.edges.nonempty() || unhidden.nonempty()) {
    commit(outcome.kind === 'paths' ? `Paths ${outcome.from.label} → ${outcome.to.label}` : 'Common neighbours');
  }
  revealBesidePanel(shown.union(selection()));
}

/** Fits `eles` in view when some of them are off screen or under the Paths panel (which sits on the right). */
function revealBesidePanel(eles: CollectionArgument): void {
  const all = cy.collection().union(eles);
  const panel = paths.isOpen() ? byId('paths-panel').getBoundingClientRect() : null;
  const box = cy.container()!.getBoundingClientRect();
  const covered = (n: NodeSingular) => {
    if (!inViewport(cy, n)) return true;
    if (!panel) return false;
    const p = n.renderedPosition();
    const x = box.left + p.x;
    const y = box.top + p.y;
    return x >= panel.left - 10 && x <= panel.right && y >= panel.top && y <= panel.bottom + 10;
  };
  if (!all.nodes().some((n) => covered(n as NodeSingular))) return;
  if (!panel) {
    fitView(cy, all, 60);
    return;
  }
  // fit into the part of the canvas left of the panel
  const shift = (box.right - panel.left + 10) / 2;
  fitView(cy, all, 60 + shift);
  cy.panBy({ x: -shift, y: 0 });
}

const paths = createPathsPanel(byId('paths-panel'), api, {
  selection: () => selectedRefs(),
  onResult: (outcome) => showPathResult(outcome),
  onHighlight: (ids) => highlightPath(ids ?? pathResult),
  onFocus: (id) => void focusEntity(id),
  onClear: () => pathsCleared(),
  track: (work) => tracked(state, work),
  onError: (err) => reportError(err, 'Paths'),
});
byId('btn-paths').addEventListener('click', () => paths.toggle());

// ---------------------------------------------------------------- map and key players

/** Focuses entity `id` from the map, centred in the part of the canvas the map (on the left) leaves free. */
async function focusBesideMap(id: string): Promise<void> {
  await focusEntity(id);
  const node = cy.getElementById(id);
  if (!node.isNode() || !node.selected() || !mapPanel.isOpen()) return;
  const covered = byId('map-panel').getBoundingClientRect().right - cy.container()!.getBoundingClientRect().left;
  if (covered > 0 && covered < cy.width() - 120) cy.panBy({ x: covered / 2, y: 0 });
}

const mapPanel = createMapPanel(byId('map-panel'), {
  cy,
  overview: (name) => tracked(state, () => api.overview(name, OVERVIEW_LIMIT)),
  caseName: () => state.caseName,
  onFocus: (id) => void focusBesideMap(id),
  onError: (err) => reportError(err, 'Map'),
  onToggle: (open) => byId('btn-map').setAttribute('aria-pressed', String(open)),
});
byId('btn-map').addEventListener('click', () => mapPanel.toggle());

const keyPlayersPanel = createKeyPlayersPanel(byId('key-players-panel'), {
  cy,
  client: createKeyPlayersClient(),
  subgraph: (ids) => tracked(state, () => api.subgraph(ids)),
  caseName: () => state.caseName,
  onFocus: (id) => void focusEntity(id),
  onError: (err) => reportError(err, 'Key players'),
  onToggle: (open) => byId('btn-key-players').setAttribute('aria-pressed', String(open)),
});
byId('btn-key-players').addEventListener('click', () => keyPlayersPanel.toggle());

/** Paths and Key players share the canvas's right edge: opening one closes the other (whatever opened it). */
function oneAtATime(panels: [HTMLElement, { close(): void }][]): void {
  for (const [el] of panels) {
    new MutationObserver(() => {
      if (el.hidden) return;
      for (const [other, p] of panels) if (other !== el && !other.hidden) p.close();
    }).observe(el, { attributes: true, attributeFilter: ['hidden'] });
  }
}
oneAtATime([[byId('paths-panel'), paths], [byId('key-players-panel'), keyPlayersPanel]]);

// ---------------------------------------------------------------- timeline and period diff

const timelineClient = createTimelineClient();
/** Scope ids are bounded by the analysis API (Scope.ids max). */
const MAX_SCOPE_IDS = 5000;

/** What an analysis covers: the entities on the canvas (only the visible ones when `visibleOnly`), else the case. */
function canvasScope(visibleOnly: boolean): AnalysisScope | null {
  const nodes = visibleOnly ? cy.nodes(':visible') : cy.nodes();
  if (nodes.length > 0 && nodes.length <= MAX_SCOPE_IDS) return { ids: nodes.map((n) => n.id()) };
  return state.caseName ? { case: state.caseName } : null;
}

/** Brings entities onto the canvas with their links to what is already there, beside their neighbours; one undo step. */
async function addToCanvas(ids: string[]): Promise<void> {
  const fresh = [...new Set(ids)].filter((id) => !cy.getElementById(id).isNode());
  if (fresh.length === 0) return;
  const present = cy.nodes().map((n) => n.id()).slice(0, Math.max(0, MAX_SCOPE_IDS - fresh.length));
  const view = await tracked(state, () => api.subgraph([...fresh, ...present]));
  const freshSet = new Set(fresh);
  // beside the entity on the canvas with the most links to the new ones, or in the middle of the view
  const ties = new Map<string, number>();
  for (const l of view.links) {
    for (const [a, b] of [[l.from, l.to], [l.to, l.from]]) if (freshSet.has(a) && !freshSet.has(b)) ties.set(b, (ties.get(b) ?? 0) + 1);
  }
  const anchorId = [...ties.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
  const anchor = anchorId ? (cy.getElementById(anchorId) as NodeSingular) : undefined;
  const extent = cy.extent();
  const added = mergeView(cy, view, (nodes) => {
    if (anchor?.isNode()) placeAround(cy, anchor, nodes);
    else nodes.forEach((n, i) => void n.position({ x: (extent.x1 + extent.x2) / 2 + 40 * Math.cos(i), y: (extent.y1 + extent.y2) / 2 + 40 * Math.sin(i) }));
  });
  applyHidden(added.nodes.union(added.edges));
  refreshCounts();
  highlightNeighbourhood();
  if (added.nodes.nonempty()) commit(`Add ${plural(added.nodes.length, 'entity', 'entities')} from the comparison`);
}

/** Selects these entities and brings them into view (details of the first). */
function revealEntities(ids: string[]): void {
  const nodes = cy.collection();
  for (const id of ids) nodes.merge(cy.getElementById(id));
  if (nodes.empty()) return void toasts.show('None of these entities is on the canvas');
  selectOnly(nodes);
  // into the part of the canvas right of the Compare panel (which sits on the left)
  const panel = diffPanel.isOpen() ? byId('diff-panel').getBoundingClientRect().width + 20 : 0;
  fitView(cy, nodes.union(nodes.neighborhood().nodes()), 80 + panel / 2);
  cy.panBy({ x: panel / 2, y: 0 });
  void showEntityDetails(nodes.first().id());
}

const timelineBtn = byId('btn-timeline');
const timeline = createTimeline(byId('timeline-panel'), timelineClient, {
  cy,
  scope: () => canvasScope(true),
  activityScope: () => canvasScope(false),
  track: (work) => tracked(state, work),
  onError: (err) => reportError(err, 'Timeline'),
  onToggle: (open) => {
    timelineBtn.setAttribute('aria-pressed', String(open));
    document.body.classList.toggle('timeline-open', open);
  },
});
timelineBtn.addEventListener('click', () => timeline.toggle());

const diffBtn = byId('btn-diff');
const diffPanel = createDiffPanel(byId('diff-panel'), timelineClient, {
  cy,
  scope: (kind) => (kind === 'case' ? (state.caseName ? { case: state.caseName } : null) : canvasScope(true)),
  addToCanvas: (ids) => addToCanvas(ids),
  reveal: (ids) => revealEntities(ids),
  track: (work) => tracked(state, work),
  onError: (err) => reportError(err, 'Compare periods'),
  onToggle: (open) => diffBtn.setAttribute('aria-pressed', String(open)),
});
diffBtn.addEventListener('click', () => diffPanel.toggle());

async function findPathsOfSelection(): Promise<void> {
  paths.open();
  paths.useSelection();
  await paths.find();
}

// ---------------------------------------------------------------- notes and merges

async function addNote(id: string, text: string): Promise<void> {
  await tracked(state, () => api.addNote(id, text));
  toasts.show('Note added', 'success');
  if (details.current() === id) await showEntityDetails(id);
}

/** Records on the server that `other` is the same as `keep`; the canvas then shows one node. */
async function mergeEntities(keep: EntityRef, other: EntityRef, reason: string): Promise<void> {
  await tracked(state, () => api.merge(keep.id, other.id, reason || undefined));
  const gone = cy.getElementById(other.id);
  const wasSelected = gone.selected();
  cy.remove(gone);
  await refreshEntityLinks([keep.id]);
  if (wasSelected) cy.getElementById(keep.id).select();
  resetHistory();
  toasts.show(`Merged “${other.label}” into “${keep.label}” (recorded as ${signIn.current()?.user ?? 'you'}; Unmerge in the details undoes it)`, 'success');
  await showEntityDetails(keep.id);
}

async function unmergeEntity(annotationId: string, keepId: string, merged: { id: string; label: string }): Promise<void> {
  try {
    await tracked(state, () => api.unmerge(annotationId));
  } catch (err) {
    reportError(err, 'Unmerge');
    throw err;
  }
  const keep = cy.getElementById(keepId);
  if (keep.isNode()) {
    // the merged entity's links hang on the kept node: take them all off and fetch both neighbourhoods again
    cy.remove(keep.connectedEdges());
    const [kv, mv] = await tracked(state, () => Promise.all([api.neighbours(keepId, { limit: EXPAND_LIMIT }), api.neighbours(merged.id, { limit: EXPAND_LIMIT })]));
    const self = mv.entities.find((e) => e.id === merged.id);
    if (self && cy.getElementById(merged.id).empty()) {
      const node = cy.add(nodeElement(self)).nodes()[0] as NodeSingular;
      placeAround(cy, keep as NodeSingular, node);
    }
    await refreshEntityLinks([keepId, merged.id], [kv, mv]);
  }
  resetHistory();
  toasts.show(`Unmerged “${merged.label}”`, 'success');
  await showEntityDetails(keepId);
}

/**
 * After a merge or unmerge: the entities' data (degree, label) and their links to what is on the canvas,
 * fetched again. Adds no new entities.
 */
async function refreshEntityLinks(ids: string[], views?: GraphView[]): Promise<void> {
  const fetched = views ?? (await tracked(state, () => Promise.all(ids.map((id) => api.neighbours(id, { limit: EXPAND_LIMIT })))));
  cy.batch(() => {
    for (const view of fetched) {
      for (const e of view.entities) {
        const node = cy.getElementById(e.id);
        if (ids.includes(e.id) && node.isNode()) node.data(nodeElement(e).data);
      }
      const onCanvas: GraphView = { entities: [], links: view.links.filter((l) => cy.getElementById(l.from).isNode() && cy.getElementById(l.to).isNode()), capped: false };
      const added = mergeView(cy, onCanvas);
      applyHidden(added.edges);
    }
  });
  refreshCounts();
  highlightNeighbourhood();
}

// ---------------------------------------------------------------- keyboard and help

const help = createHelp();
byId('btn-help').addEventListener('click', () => help.toggle());

/** Runs the shortcut for `ev`; true when it was one (the caller prevents the default). */
function keyAction(ev: KeyboardEvent): boolean {
  const mod = ev.ctrlKey || ev.metaKey;
  const key = ev.key;
  if (mod && !ev.altKey) {
    const k = key.toLowerCase();
    if (k === 'z' && !ev.shiftKey) return undo(), true;
    if ((k === 'z' && ev.shiftKey) || k === 'y') return redo(), true;
    if (k === 'a') return selectOnly(cy.elements(':visible')), true;
    return false;
  }
  if (ev.altKey) return false;
  if (key === 'ContextMenu' || (key === 'F10' && ev.shiftKey)) return keyboardMenu(), true;
  switch (key) {
    case '/':
      byId('search-input').focus();
      return true;
    case '?':
      help.toggle();
      return true;
    case 'Escape':
      if (floatingOpen()) closeFloating();
      cy.elements(':selected').unselect();
      details.clear();
      return true;
    case 'e':
      void expandSelection();
      return true;
    case 'E': {
      const last = selectedRefs().at(-1);
      if (last) expandWithFilters(cy.getElementById(last.id) as NodeSingular);
      else toasts.show('Select an entity to expand first');
      return true;
    }
    case 'h':
      hideSelection();
      return true;
    case 'H':
      showHidden();
      return true;
    case 'Delete':
    case 'Backspace':
      removeSelection();
      return true;
    case 'p':
    case 'P':
      togglePin();
      return true;
    case 't':
      selectSameTypes();
      return true;
    case 'T':
      timeline.toggle();
      return true;
    case 'l':
    case 'L':
      void layoutAction();
      return true;
    case 'f':
    case 'F':
      fitView(cy);
      return true;
    case 'a':
    case 'A':
      if (selectedRefs().length === 2) void findPathsOfSelection();
      else paths.open();
      return true;
    case 'm':
    case 'M':
      mapPanel.toggle();
      return true;
    case 'k':
    case 'K':
      keyPlayersPanel.toggle();
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------- accounts: sign-in, roles, admin view

const auth = createAuthClient();
const signIn = createSignIn(auth, {
  // someone else signed in over an ended session: start over for them (nothing of the previous view stays)
  onOtherUser: () => location.reload(),
});
// any request answering 401 (signed out, session ended) waits for the sign-in form, then goes again
// (the role is shown again: an admin may have changed it meanwhile)
onSessionLost(async () => applyRole(await signIn.reauthenticate()));

const adminBtn = byId<HTMLButtonElement>('btn-admin');
const adminView = createAdminView(auth, {
  caseNames: () => state.cases.map((c) => c.name),
  currentUser: () => signIn.current()?.user ?? null,
  notify: (message, kind) => toasts.show(message, kind),
});
adminBtn.addEventListener('click', () => adminView.open());

const userMenu = createUserMenu(byId<HTMLButtonElement>('btn-user'), auth, {
  onSignOut: () => void signOut(),
  onAdmin: () => adminView.open(),
  notify: (message, kind) => toasts.show(message, kind),
});

async function signOut(): Promise<void> {
  try {
    await auth.logout();
  } catch (err) {
    reportError(err, 'Sign out');
    return;
  }
  // a fresh page: the sign-in form, and nothing of this user's work left on screen or in memory
  location.reload();
}

/** Why the signed-in user's role cannot `action` (the tooltip of the disabled control), or null when it can. */
function refusal(capability: Capability, action: string): string | null {
  const me = signIn.current();
  if (!me) return null;
  return roleCan(me.role, capability) ? null : refusedTitle(me.role, action);
}

/** The signed-in user in the top bar; what their role cannot do is disabled with a tooltip (the server refuses it anyway). */
function applyRole(me: Me): void {
  userMenu.set(me);
  document.body.dataset.role = me.role;
  adminBtn.hidden = !roleCan(me.role, 'admin');
  const gate = (id: string, capability: Capability, action: string) => {
    const btn = byId<HTMLButtonElement>(id);
    const refused = refusal(capability, action);
    btn.dataset.title ??= btn.title;
    btn.disabled = refused !== null;
    btn.title = refused ?? btn.dataset.title;
  };
  gate('btn-import', 'write', 'import');
  gate('btn-text-import', 'write', 'add entities from text');
  gate('btn-open-snapshot', 'write', 'open snapshots (opening imports their facts)');
  gate('btn-export', 'export', 'export');
}

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
    applyRole(await signIn.ensure());
    await loadCases();
    const saved = await savedViewFromUrl();
    const wanted = caseFromUrl() ?? saved?.case ?? null;
    const name = wanted && state.cases.some((c) => c.name === wanted) ? wanted : state.cases[0]?.name;
    if (wanted && name !== wanted) toasts.show(`Case “${wanted}” not found${name ? `; showing ${name}` : ''}`, 'error');
    if (saved && saved.case !== name) toasts.show(`The view in the link belongs to case “${saved.case}”; showing the overview of ${name ?? 'no case'}`, 'error');
    if (name) await loadCase(name, saved?.case === name ? saved : undefined);
    refreshCounts();
    document.body.dataset.ready = 'true';
  } catch (err) {
    refreshCounts();
    reportError(err, 'Loading');
    document.body.dataset.ready = 'error';
  }
}

window.__casegraph = {
  cy,
  api,
  ready: start(),
  actions: {
    expand: async (id, filter) => void (await expand(id, 0, filter)),
    undo: () => undo(),
    redo: () => redo(),
    saveView: () => writeViewNow(),
  },
};
