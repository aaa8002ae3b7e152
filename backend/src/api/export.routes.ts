// Export and snapshot routes. Downloads are streamed (Content-Disposition attachment) and recorded in
// the annotation log when the stream finishes (`GET /api/annotations?kind=export`); exports redact
// victims unless `redactVictims: false`, which is itself recorded (`kind=unredaction`) before any byte.
// These bodies carry view ids, positions and view state: mount a JSON parser with EXPORT_JSON_LIMIT
// for /exports and /snapshots before the app's default one.
import { z } from 'zod';
import { ApplyResult } from '../model/index.ts';
import { EXPORT_FORMATS, FORMAT_SPECS } from '../exchange/formats.ts';
import { ViewState } from '../exchange/snapshot/snapshot.schema.ts';
import type { ExportRecord, ExportRequest, ExportService } from '../services/export.service.ts';
import type { ImportService } from '../services/import.service.ts';
import { bool, jobAudit, JobView, spooledJob } from './import.routes.ts';
import type { JobRegistry } from '../services/jobs.service.ts';
import { defineRoute } from './route.ts';
import type { Principal } from '../auth/access.ts';
import { requireWritableCase } from '../services/case-access.ts';
import type { Response } from 'express';

export const EXPORT_JSON_LIMIT = '16mb';

const Id = z.string().min(1).max(100);
const Ids = z.array(Id).min(1).max(50_000);
const CaseName = z.string().min(1).max(120);
const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

export const ExportBody = z.object({
  format: z.enum(EXPORT_FORMATS),
  ids: Ids.optional(),
  case: CaseName.optional(),
  positions: z.record(Id, Position).optional(),
  /** default true; false is recorded as an unredaction (who, when, scope, format, reason) */
  redactVictims: z.boolean().default(true),
  reason: z.string().max(2000).optional(),
  /** only for format=snapshot */
  view: ViewState.optional(),
});

export const SnapshotBody = z.object({
  ids: Ids,
  view: ViewState,
  case: CaseName.optional(),
  redactVictims: z.boolean().default(true),
  reason: z.string().max(2000).optional(),
});

const Counts = z.object({ created: z.number(), merged: z.number() });
export const OpenResponse = z.object({
  view: z.record(z.string(), z.unknown()).optional(),
  entityIds: z.array(z.string()).optional(),
  manifest: z.unknown().optional(),
  format: z.string(),
  file: z.string(),
  sha256: z.string(),
  provenance: z.enum(['original', 'file']),
  result: z.object({
    status: ApplyResult.shape.status,
    sources: z.array(z.object({
      name: z.string(), kind: z.string(), case: z.string(), sha256: z.string(), status: ApplyResult.shape.status,
      entities: Counts, links: Counts, events: Counts, missing: z.number().optional(),
    })),
    entities: Counts, links: Counts, events: Counts, merges: z.number(), warnings: z.array(z.string()),
  }),
});

/** What opening a snapshot leaves in the audit trail. */
function openAudit(name: string, out: z.infer<typeof OpenResponse> | z.infer<typeof OpenJobView> | undefined) {
  if (out && 'state' in out) return null; // accepted as a job: recorded when it ends
  return { case: out?.result.sources[0]?.case, target: out?.sha256, details: { file: name, ...(out ? { format: out.format, status: out.result.status, sources: out.result.sources.length, entities: out.result.entities, links: out.result.links } : {}) } };
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function download(exports: ExportService, req: ExportRequest, principal: Principal, res: Response): Promise<ExportRecord> {
  // per-case access: an ungranted case answers 404 (as a missing one), so does a view id no granted case
  // asserts (refused rather than dropped: the file would silently differ from the view asked for); what
  // only other cases assert — sources, records, locators, even of a shared entity — is left out of the file
  const prepared = await exports.prepare(req, principal.user, principal.cases);
  res.status(200);
  res.setHeader('Content-Type', prepared.contentType);
  res.setHeader('Content-Disposition', attachment(prepared.fileName));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Casegraph-Redacted', prepared.redacted ? `victims=${prepared.victims}` : 'no');
  res.setHeader('X-Casegraph-Counts', `entities=${prepared.counts.entities}; links=${prepared.counts.links}; events=${prepared.counts.events}; sources=${prepared.counts.sources}`);
  return prepared.write(res);
}

/**
 * What an export leaves in the audit trail: scope, format, redaction and the SHA-256 of the bytes sent.
 * An export with victims' names in it is recorded as its own action, "unredaction".
 */
function exportAudit(body: { format?: string; ids?: string[]; case?: string; redactVictims: boolean; reason?: string }, out: ExportRecord | undefined) {
  return {
    action: body.redactVictims ? 'export' : 'unredaction',
    case: body.case, target: out?.file,
    details: {
      format: body.format ?? 'snapshot', ids: body.ids?.length, redacted: body.redactVictims, reason: body.reason,
      ...(out ? { sha256: out.sha256, bytes: out.bytes, complete: out.complete, entities: out.counts.entities, links: out.counts.links } : {}),
    },
  };
}

/** A snapshot being opened as a job (GET /api/jobs/:id answers the same shape for kind "open"). */
const OpenJobView = JobView.extend({ result: OpenResponse.optional() });

export function exportRoutes(exports: ExportService, imports: ImportService, jobs: JobRegistry) {
  return [
    defineRoute({
      method: 'get', path: '/exports/formats', tag: 'export', access: 'read', summary: 'Export formats, their content types and what survives a round trip',
      response: z.object({ formats: z.array(z.object({ format: z.string(), ext: z.string(), contentType: z.string(), description: z.string(), readable: z.boolean(), roundTrip: z.string() })) }),
      handler: async () => ({ formats: EXPORT_FORMATS.map((f) => ({ format: f, ...FORMAT_SPECS[f] })) }),
    }),
    defineRoute({
      method: 'post', path: '/exports', tag: 'export', access: 'export',
      summary: 'Download the view (ids) or a case as snapshot, GraphML, GEXF, Cytoscape JSON, CSV (zip) or FtM; victims redacted unless redactVictims=false (recorded)',
      body: ExportBody, response: z.unknown(),
      audit: { action: 'export', describe: ({ body }, out) => exportAudit(body, out) },
      handler: ({ body, principal, res }) => download(exports, body, principal, res),
    }),
    defineRoute({
      method: 'post', path: '/snapshots', tag: 'export', access: 'export',
      summary: 'Download a .casegraph.json snapshot of the view: its facts, sources and view state, sealed by SHA-256',
      body: SnapshotBody, response: z.unknown(),
      audit: { action: 'export', describe: ({ body }, out) => exportAudit(body, out) },
      handler: ({ body, principal, res }) => download(exports, { format: 'snapshot', ...body }, principal, res),
    }),
    defineRoute({
      method: 'post', path: '/snapshots/open', tag: 'export', access: 'write', binaryBody: true,
      summary: 'Open a snapshot (or a Casegraph GraphML, Cytoscape JSON or FtM export): imports its facts with their original sources (idempotent) and answers the view state',
      query: z.object({ name: z.string().min(1).max(300).default('snapshot.casegraph.json'), case: CaseName.optional(), async: bool.default(false) }),
      response: OpenResponse.or(OpenJobView),
      audit: { action: 'snapshot.open', describe: ({ query }, out) => openAudit(query.name, out) },
      handler: async ({ query, principal, req, res, audit }) => {
        // a named case must be one of the user's before a byte is spooled; without one, the file's own cases
        // are checked once it has been read, before anything is written (any ungranted one refuses the whole file)
        if (query.case !== undefined) requireWritableCase(principal.cases, query.case);
        const sp = await imports.receive(req, query.name);
        const opts = { case: query.case, by: principal.user, access: principal.cases };
        if (!query.async) {
          try {
            return await exports.open(sp, opts);
          } finally {
            await sp.dispose();
          }
        }
        // a large snapshot: answer 202 with a job whose progress counts the records written (of the manifest's total)
        return spooledJob(jobs, 'open', principal.user, sp, res, (progress) => exports.open(sp, { ...opts, onProgress: progress }), (out, err) => {
          const outcome = jobAudit(err);
          const described = openAudit(query.name, out);
          audit({ action: 'snapshot.open', ...described, outcome: outcome.outcome, details: { ...described?.details, ...outcome.details } });
        });
      },
    }),
  ];
}
