// One measured key-players run in its own process, so peak RSS belongs to that run alone (the worker thread
// the job uses shares the process, so its memory is counted too).
//   tsx test/bench/analysis-child.ts job <store.sqlite> <case> <samples>    the API's job path: scope read + worker
//   tsx test/bench/analysis-child.ts read <store.sqlite> <case>             the anchor: reading the scope graph alone
import { AnalysisService, DEFAULT_ANALYSIS_LIMITS } from '../../backend/src/services/analysis.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';

const [mode, file, caseName, samples] = process.argv.slice(2);
const store = new EmbeddedGraphStore({ file });
const t0 = performance.now();
let out: Record<string, unknown>;
if (mode === 'job') {
  const analysis = new AnalysisService(store);
  let reports = 0;
  let firstReportS: number | null = null;
  const r = await analysis.keyPlayersJob({ scope: { case: caseName }, betweennessSamples: Number(samples) }, () => {
    reports++;
    firstReportS ??= (performance.now() - t0) / 1000;
  });
  out = { nodes: r.nodeCount, edges: r.edgeCount, capped: r.capped, sampled: r.betweennessSampled, communities: r.communities.length, reports, firstReportS };
} else {
  const g = await store.scopeGraph({ case: caseName }, { limit: DEFAULT_ANALYSIS_LIMITS.jobMaxEdges });
  out = { nodes: g.nodes.length, edges: g.edges.length, capped: g.capped };
}
const seconds = (performance.now() - t0) / 1000;
await store.close();
process.stdout.write(JSON.stringify({ ...out, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
