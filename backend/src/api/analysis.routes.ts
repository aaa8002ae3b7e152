// Analysis routes: timeline, link activity in a window, period diff and key players of a case or a
// selection. Bodies are JSON (a selection can hold 5000 ids); key players of a big scope run as a job.
import { z } from 'zod';
import {
  ActivityRequest, ActivityResponse, DiffRequest, DiffResult, KeyPlayers, KeyPlayersRequest, Timeline, TimelineRequest,
} from '../analysis/analysis.schema.ts';
import type { AnalysisService } from '../services/analysis.service.ts';
import type { JobRegistry } from '../services/jobs.service.ts';
import { bool, JobView } from './import.routes.ts';
import { defineRoute } from './route.ts';

/** Paths whose JSON bodies may carry a 5000-id scope (5000 × 100-character ids ≈ 0.5 MB). */
export const ANALYSIS_PATHS = ['/timeline', '/activity', '/diff', '/key-players'];
export const ANALYSIS_JSON_LIMIT = '1mb';

export function analysisRoutes(analysis: AnalysisService, jobs: JobRegistry) {
  return [
    defineRoute({
      method: 'post', path: '/timeline', tag: 'analysis', access: 'read', queued: true, summary: 'Events per day, week or month in a case or among entities, with dated Event markers',
      body: TimelineRequest, response: Timeline,
      handler: ({ body, principal }) => analysis.timeline(body, principal.cases),
    }),
    defineRoute({
      method: 'post', path: '/activity', tag: 'analysis', access: 'read', queued: true, summary: 'Call and message links with their count, duration and first/last time inside a window',
      body: ActivityRequest, response: ActivityResponse,
      handler: ({ body, principal }) => analysis.activity(body, principal.cases),
    }),
    defineRoute({
      method: 'post', path: '/diff', tag: 'analysis', access: 'read', queued: true, summary: 'What changed between two periods: links and numbers that appeared, went quiet, rose or fell, and takeovers',
      body: DiffRequest, response: DiffResult,
      handler: ({ body, principal }) => analysis.diff(body, principal.cases),
    }),
    defineRoute({
      method: 'post', path: '/key-players', tag: 'analysis', access: 'read', queued: true,
      summary: 'Degree, betweenness, eigenvector, communities and bridges. async=true answers 202 with a job (required above 20,000 links)',
      query: z.object({ async: bool.default(false) }), body: KeyPlayersRequest, response: KeyPlayers.or(JobView),
      handler: async ({ query, body, principal, res }) => {
        if (!query.async) return analysis.keyPlayers(body, principal.cases);
        // an ungranted case answers 404 now, not as a failed job
        const scope = await analysis.scopeFor(body.scope, principal.cases);
        const label = scope.case !== undefined ? `key players of ${scope.case}` : `key players of ${scope.ids.length} entities`;
        const job = jobs.start('key-players', label, principal.user, (progress) => analysis.keyPlayersJob(body, (done, total) => progress({ records: done, total }), principal.cases, scope));
        res.status(202).json(job);
        return job;
      },
    }),
  ];
}
