// Key players panel: degree, betweenness, eigenvector centrality and Louvain communities of the visible
// graph, computed in the browser by the same pure keyPlayers() the server uses, or of the whole case as a
// server job with progress. Sizes nodes by a measure and colours them by community through node data
// (kpSize, kpColor) that the stylesheet maps with one rule each (switched on by the classes kp-sized and
// kp-community); bridges get the class `bridge`.
import type { Core, NodeSingular } from 'cytoscape';
import { keyPlayers } from '../../../backend/src/analysis/centrality.ts';
import type { KeyPlayers, Measure, NodeScore } from '../../../backend/src/analysis/analysis.schema.ts';
import { h, replaceChildren } from '../dom.ts';
import type { GraphView, KeyPlayersClient, KeyPlayersJob } from '../api.ts';
import { ApiError } from '../api.ts';
import { plural } from '../format.ts';
import { entitySwatch } from './swatch.ts';
import { COLORS } from '../graph/style.ts';
import { analysisGraph, communityColours, formatScore, MEASURE_LABELS, MEASURES, rankBy, sizesBy, TOP_N, type SizeBy } from './key-players-model.ts';

export interface KeyPlayersHandlers {
  cy: Core;
  client: KeyPlayersClient;
  /** labels and types of entities not on the canvas (a server result's top entries) */
  subgraph(ids: string[]): Promise<GraphView>;
  caseName(): string | null;
  /** selects and centres entity `id`, bringing it onto the canvas when absent */
  onFocus(id: string): void;
  onError(err: unknown): void;
  /** the panel opened or closed (the toolbar button shows it) */
  onToggle?(open: boolean): void;
}

export interface KeyPlayersPanel {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /** another case was opened: drop results and marks */
  caseChanged(): void;
}

/** Betweenness is exact up to this many nodes and sampled from this many sources above. */
const BROWSER_SAMPLES = 400;
const POLL_MS = 300;
/** A job polled longer than this is given up on (the server keeps running it). */
const POLL_GIVE_UP_MS = 10 * 60_000;

interface Shown {
  source: 'canvas' | 'case';
  result: KeyPlayers;
  /** the case the result belongs to (server results) */
  caseName: string | null;
  /** label and type of top entries not on the canvas */
  names: Map<string, { label: string; type: string }>;
}

const isHidden = (n: NodeSingular) => n.hasClass('hidden') || n.hasClass('type-hidden');

/**
 * A community's colour dot. The colour goes through the CSSOM (`style.background`): a `style` attribute
 * would be refused by the CSP (style-src 'self', no inline styles).
 */
function communityDot(colour: string, title?: string): HTMLSpanElement {
  const dot = h('span', { class: 'kp-community', title });
  dot.style.background = colour;
  return dot;
}

export function createKeyPlayersPanel(root: HTMLElement, handlers: KeyPlayersHandlers): KeyPlayersPanel {
  const { cy } = handlers;
  root.dataset.testid = 'key-players-panel';
  let shown: Shown | null = null;
  let graphKey = '';
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  /** bumped to abandon a running job's polling (case changed, panel reset) */
  let jobToken = 0;

  const option = (value: string, label: string) => h('option', { value }, label);
  const rankSelect = h('select', { 'data-testid': 'kp-rank-by', 'aria-label': 'Rank by' }, ...MEASURES.map((m) => option(m, MEASURE_LABELS[m])));
  const sizeSelect = h('select', { 'data-testid': 'kp-size-by', 'aria-label': 'Size by' }, option('none', 'None'), ...MEASURES.map((m) => option(m, MEASURE_LABELS[m])));
  const colourBox = h('input', { type: 'checkbox', 'data-testid': 'kp-communities' });
  const recompute = h('button', { type: 'button', class: 'btn small', 'data-testid': 'kp-recompute', title: 'Compute again for the entities and links visible on the canvas' }, 'Visible graph');
  const server = h('button', { type: 'button', class: 'btn small', 'data-testid': 'kp-server', title: 'Compute on the server for every entity and link of the case (a background job)' }, 'Whole case (server)');
  const reset = h('button', { type: 'button', class: 'btn small ghost', 'data-testid': 'kp-reset', title: 'Normal node sizes and colours again' }, 'Reset');
  const progress = h('progress', { class: 'kp-progress', 'data-testid': 'kp-progress', max: 1, value: 0, hidden: true });
  const status = h('p', { class: 'kp-status muted', 'data-testid': 'kp-status', role: 'status' });
  const legend = h('div', { class: 'kp-communities', 'data-testid': 'kp-community-legend' });
  const list = h('ol', { class: 'kp-list', 'data-testid': 'kp-list' });
  const closeBtn = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close the Key players panel', 'data-testid': 'kp-close' }, '×');

  replaceChildren(
    root,
    h('header', { class: 'tool-head' }, h('h2', { class: 'section-title' }, 'Key players'), closeBtn),
    h(
      'div',
      { class: 'tool-body' },
      h('div', { class: 'tool-row' }, h('label', { class: 'inline-field' }, 'Rank by', rankSelect), h('label', { class: 'inline-field' }, 'Size by', sizeSelect)),
      h('div', { class: 'tool-row' }, h('label', { class: 'inline-field', title: 'Louvain communities as a coloured border (the type colour and shape stay)' }, colourBox, 'Colour by community')),
      h('div', { class: 'tool-row' }, recompute, server, reset),
      progress,
      status,
      legend,
      list,
    ),
  );

  /** The visible graph: entities not hidden, links not hidden whose ends are both visible. */
  function visibleGraph(): { nodes: string[]; edges: { from: string; to: string }[] } {
    const nodes = cy.nodes().filter((n) => !isHidden(n)).map((n) => n.id());
    const edges = cy
      .edges()
      .filter((e) => !e.hasClass('hidden') && !e.hasClass('link-hidden'))
      .map((e) => ({ source: String(e.data('source')), target: String(e.data('target')) }));
    return analysisGraph(nodes, edges);
  }

  function keyOf(g: { nodes: string[]; edges: { from: string; to: string }[] }): string {
    // order-insensitive fingerprint: counts plus a cheap hash of the ids
    let hash = 0;
    for (const id of g.nodes) for (let i = 0; i < id.length; i++) hash = (hash + id.charCodeAt(i) * (i + 1)) | 0;
    return `${g.nodes.length}:${g.edges.length}:${hash}`;
  }

  function computeVisible(): void {
    jobToken++;
    progress.hidden = true;
    const g = visibleGraph();
    graphKey = keyOf(g);
    if (g.nodes.length === 0) {
      shown = null;
      clearMarks();
      status.textContent = 'Nothing visible on the canvas to analyse.';
      render();
      return;
    }
    const started = performance.now();
    const result = keyPlayers(g, { betweennessSamples: BROWSER_SAMPLES, seed: 1 });
    const ms = Math.round(performance.now() - started);
    shown = { source: 'canvas', result, caseName: handlers.caseName(), names: new Map() };
    status.textContent = `Visible graph: ${plural(result.nodeCount, 'entity', 'entities')}, ${plural(result.edgeCount, 'link')}, ${plural(result.communities.length, 'community', 'communities')}${result.betweennessSampled ? ' · betweenness estimated from a sample' : ''} · ${ms} ms`;
    document.body.dataset.keyPlayers = 'canvas';
    applyMarks();
    render();
  }

  async function runOnServer(): Promise<void> {
    const name = handlers.caseName();
    if (!name) return;
    const token = ++jobToken;
    server.disabled = true;
    progress.hidden = false;
    progress.removeAttribute('value'); // indeterminate until the first report
    status.textContent = `Whole case ${name}: starting…`;
    document.body.dataset.keyPlayers = 'running';
    try {
      let job: KeyPlayersJob = await handlers.client.start({ case: name });
      const started = Date.now();
      while (job.state === 'running') {
        if (token !== jobToken) return;
        if (Date.now() - started > POLL_GIVE_UP_MS) throw new ApiError('timeout', 0, 'the key-players job did not finish in 10 minutes');
        showProgress(job, name);
        await new Promise((r) => setTimeout(r, POLL_MS));
        job = await handlers.client.job(job.id);
      }
      if (token !== jobToken) return;
      if (job.state === 'failed' || !job.result) throw new ApiError(job.error?.code ?? 'job_failed', 0, job.error?.message ?? 'the key-players job failed');
      showProgress(job, name);
      const result = job.result;
      const names = await namesOf(rankTop(result.nodes));
      if (token !== jobToken) return;
      shown = { source: 'case', result, caseName: name, names };
      status.textContent = `Whole case ${name}: ${plural(result.nodeCount, 'entity', 'entities')}, ${plural(result.edgeCount, 'link')}, ${plural(result.communities.length, 'community', 'communities')}${result.betweennessSampled ? ' · betweenness estimated from a sample' : ''}`;
      document.body.dataset.keyPlayers = 'case';
      applyMarks();
      render();
    } catch (err) {
      if (token !== jobToken) return;
      progress.hidden = true;
      status.textContent = `Whole case ${name}: ${err instanceof Error ? err.message : String(err)}`;
      document.body.dataset.keyPlayers = 'failed';
      handlers.onError(err);
    } finally {
      if (token === jobToken) server.disabled = false;
    }
  }

  function showProgress(job: KeyPlayersJob, name: string): void {
    const { records, total } = job.progress;
    if (total && total > 0) {
      progress.max = total;
      progress.value = Math.min(records, total);
      status.textContent = `Whole case ${name}: ${records.toLocaleString('en')} of ${total.toLocaleString('en')} (${Math.round((100 * Math.min(records, total)) / total)} %)…`;
    } else {
      progress.removeAttribute('value');
      status.textContent = `Whole case ${name}: computing…`;
    }
    if (job.state === 'done') {
      progress.max = 1;
      progress.value = 1;
    }
  }

  /** Labels for the entries that are not on the canvas (at most TOP_N, one request). */
  async function namesOf(top: NodeScore[]): Promise<Map<string, { label: string; type: string }>> {
    const missing = top.filter((n) => !cy.getElementById(n.id).isNode()).map((n) => n.id);
    if (!missing.length) return new Map();
    const view = await handlers.subgraph(missing);
    return new Map(view.entities.map((e) => [e.id, { label: e.label, type: e.type }]));
  }

  const measure = (): Measure => rankSelect.value as Measure;
  const rankTop = (nodes: readonly NodeScore[]) => rankBy(nodes, measure(), TOP_N);

  function clearMarks(): void {
    cy.batch(() => {
      cy.nodes('.kp-sized, .kp-community, .bridge').removeClass('kp-sized kp-community bridge').removeData('kpSize kpColor');
    });
  }

  /** Node sizes, community colours and bridges from the shown result onto the canvas nodes it scores. */
  function applyMarks(): void {
    if (!shown) return clearMarks();
    const sizeBy = sizeSelect.value as SizeBy;
    const scores = shown.result.nodes;
    const sizes = sizeBy === 'none' ? null : sizesBy(scores, sizeBy);
    const colours = colourBox.checked ? communityColours(shown.result.communities) : null;
    const byId = new Map(scores.map((n) => [n.id, n]));
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const score = byId.get(node.id());
        const size = score && sizes ? sizes.get(score.id) : undefined;
        if (size !== undefined) node.data('kpSize', size);
        node.toggleClass('kp-sized', size !== undefined);
        const colour = score && colours ? colours.get(score.community) : undefined;
        const bridge = !!score?.bridge;
        // the bridge's double border takes the community colour when there is one
        if (colour !== undefined || bridge) node.data('kpColor', colour ?? COLORS.bridge);
        node.toggleClass('kp-community', colour !== undefined);
        node.toggleClass('bridge', bridge);
      });
    });
  }

  function render(): void {
    if (!shown) {
      replaceChildren(list);
      replaceChildren(legend);
      return;
    }
    const m = measure();
    const colours = communityColours(shown.result.communities);
    const top = rankTop(shown.result.nodes);
    replaceChildren(
      list,
      ...top.map((score, i) => {
        const node = cy.getElementById(score.id);
        const onCanvas = node.isNode();
        const name = onCanvas ? { label: String(node.data('label')), type: String(node.data('type')) } : (shown!.names.get(score.id) ?? { label: score.id, type: 'Entity' });
        const colour = colours.get(score.community);
        const btn = h(
          'button',
          { type: 'button', class: 'kp-entry', title: `${name.type}: ${name.label}${onCanvas ? '' : ' — not on the canvas: click to add it'}` },
          h('span', { class: 'kp-rank' }, String(i + 1)),
          entitySwatch(name.type, 12),
          h('span', { class: 'kp-label' }, name.label),
          score.bridge ? h('span', { class: 'kp-bridge', role: 'img', 'aria-label': 'bridge', title: 'Bridge: removing it splits its community' }) : null,
          onCanvas ? null : h('span', { class: 'kp-add', title: 'Not on the canvas' }, '+'),
          communityDot(colour ?? 'transparent', `Community ${score.community + 1}`),
          h('span', { class: 'kp-score mono' }, formatScore(m, score[m])),
        );
        btn.addEventListener('click', () => handlers.onFocus(score.id));
        return h(
          'li',
          { class: `key-player${score.bridge ? ' bridge' : ''}${onCanvas ? '' : ' off-canvas'}`, 'data-testid': 'key-player', 'data-id': score.id, 'data-score': score[m], 'data-community': score.community, 'data-bridge': String(score.bridge) },
          btn,
        );
      }),
    );
    // the palette's communities with their sizes (the grey rest summed)
    const big = shown.result.communities.filter((c) => colours.get(c.id) !== undefined && c.size > 1).slice(0, 12);
    const rest = shown.result.nodeCount - big.reduce((a, c) => a + c.size, 0);
    replaceChildren(
      legend,
      h('span', { class: 'kp-legend-title' }, `${plural(shown.result.communities.length, 'community', 'communities')}`),
      ...big.map((c) => h('span', { class: 'kp-legend-item', title: `Community ${c.id + 1}: ${plural(c.size, 'entity', 'entities')}` }, communityDot(colours.get(c.id) ?? 'transparent'), String(c.size))),
      rest > 0 ? h('span', { class: 'kp-legend-item muted', title: 'Smaller communities and single entities' }, communityDot('#cbd5e1'), String(rest)) : null,
    );
    root.dataset.source = shown.source;
  }

  /** The visible graph changed: a canvas result is computed again (a case result only re-marks). */
  function checkGraph(): void {
    if (root.hidden) return;
    if (shown?.source === 'case') {
      applyMarks();
      render();
      return;
    }
    const key = keyOf(visibleGraph());
    if (key !== graphKey) computeVisible();
  }

  rankSelect.addEventListener('change', () => {
    if (!shown) return;
    if (shown.source === 'case') {
      void namesOf(rankTop(shown.result.nodes)).then((names) => {
        if (shown?.source === 'case') {
          for (const [id, n] of names) shown.names.set(id, n);
          render();
        }
      }, handlers.onError);
    }
    render();
  });
  sizeSelect.addEventListener('change', () => {
    const v = sizeSelect.value as SizeBy;
    if (v !== 'none' && rankSelect.value !== v) {
      rankSelect.value = v;
      rankSelect.dispatchEvent(new Event('change'));
    }
    applyMarks();
  });
  colourBox.addEventListener('change', () => applyMarks());
  recompute.addEventListener('click', () => computeVisible());
  server.addEventListener('click', () => void runOnServer());
  reset.addEventListener('click', () => {
    sizeSelect.value = 'none';
    colourBox.checked = false;
    clearMarks();
  });
  closeBtn.addEventListener('click', () => panel.close());

  cy.on('add remove class', () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(checkGraph, 250);
  });

  const panel: KeyPlayersPanel = {
    open() {
      if (!root.hidden) return;
      root.hidden = false;
      handlers.onToggle?.(true);
      server.disabled = !handlers.caseName();
      if (!shown || (shown.source === 'canvas' && keyOf(visibleGraph()) !== graphKey)) computeVisible();
    },
    close() {
      root.hidden = true;
      handlers.onToggle?.(false);
    },
    toggle() {
      if (root.hidden) panel.open();
      else panel.close();
    },
    isOpen: () => !root.hidden,
    caseChanged() {
      jobToken++;
      shown = null;
      graphKey = '';
      progress.hidden = true;
      server.disabled = false;
      status.textContent = '';
      clearMarks();
      render();
    },
  };
  return panel;
}
