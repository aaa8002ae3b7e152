// Import routes: the file is the raw request body (streamed to a bounded spool), name and case in the
// query. `async=true` answers 202 with a job to poll for progress; otherwise the answer is the result.
import { z } from 'zod';
import type { Response } from 'express';
import { KeyPlayers } from '../analysis/analysis.schema.ts';
import { ApplyResult } from '../model/index.ts';
import { MappingName } from '../importers/cdr/cdr.mapping.ts';
import { findImporter, IMPORTERS } from '../importers/registry.ts';
import type { ImportService, Spooled } from '../services/import.service.ts';
import type { Job, JobProgress, JobRegistry } from '../services/jobs.service.ts';
import type { AuditOutcome } from '../auth/auth.store.ts';
import { failureOf } from '../auth/audited.ts';
import { requireWritableCase } from '../services/case-access.ts';
import { defineRoute } from './route.ts';

/** A query-string flag: true/false or 1/0. */
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const ImportQuery = z.object({
  name: z.string().min(1).max(300),
  case: z.string().min(1).max(120).optional(),
  format: z.string().max(40).optional(),
  /** name of a saved CDR column mapping */
  mapping: MappingName.optional(),
  /** the seized handset an Android/iOS database came from (these files carry no IMEI) */
  deviceImei: z.string().max(40).optional(),
  deviceNumber: z.string().max(40).optional(),
  async: bool.default(false),
});

export const ImportResponse = ApplyResult.extend({ format: z.string(), file: z.string(), sha256: z.string() });

/** A background job (imports, key players): poll GET /api/jobs/:id until `state` is done or failed. */
export const JobView = z.object({
  id: z.string(),
  kind: z.string(),
  label: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  progress: z.object({ records: z.number(), bytes: z.number().optional(), total: z.number().optional() }),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** by `kind`: "import" → the import result, "key-players" → KeyPlayers, "open" → the answer of POST /snapshots/open */
  result: z.union([ImportResponse, KeyPlayers]).optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
});

/**
 * Answers 202 with a job that works on an uploaded (spooled) file and disposes of the spool when the
 * work ends, however it ends.
 */
export function spooledJob<R>(
  jobs: JobRegistry, kind: string, owner: string, sp: Spooled, res: Response, work: (progress: (p: JobProgress) => void) => Promise<R>,
  settled?: (result: R | undefined, err: unknown) => void,
): Job<R> {
  const job = jobs.start(kind, sp.name, owner, async (progress) => {
    try {
      const out = await work(progress);
      settled?.(out, undefined);
      return out;
    } catch (err) {
      settled?.(undefined, err);
      throw err;
    } finally {
      await sp.dispose();
    }
  });
  res.status(202).json(job);
  return job;
}

/** The outcome and error of work that ended in a job, for its audit entry. */
export function jobAudit(err: unknown): { outcome: AuditOutcome; details?: Record<string, unknown> } {
  return err === undefined ? { outcome: 'ok' } : failureOf(err);
}

/** What an import leaves in the audit trail: the file, its SHA-256, the case and what it changed. */
export function importAudit(name: string, caseName: string | undefined, out: z.infer<typeof ImportResponse> | undefined) {
  return {
    case: out?.case ?? caseName, target: out?.sha256,
    details: { file: name, ...(out ? { format: out.format, status: out.status, entities: out.entities, links: out.links, events: out.events, warnings: out.warnings.length } : {}) },
  };
}

export function importRoutes(imports: ImportService, jobs: JobRegistry) {
  return [
    defineRoute({
      method: 'get', path: '/formats', tag: 'import', access: 'read', summary: 'The import formats this server reads',
      response: z.object({ formats: z.array(z.object({ format: z.string(), description: z.string() })) }),
      handler: async () => ({ formats: IMPORTERS.map((i) => ({ format: i.format, description: i.description })) }),
    }),
    defineRoute({
      method: 'post', path: '/imports/detect', tag: 'import', access: 'write', binaryBody: true,
      summary: 'Detect the format from the first bytes of a file (send at most 64 KiB)',
      query: z.object({ name: z.string().min(1).max(300) }),
      response: z.object({ format: z.string(), description: z.string() }),
      handler: async ({ query, req }) => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req as AsyncIterable<Buffer>) {
          if (size < 64 * 1024) chunks.push(c);
          size += c.length;
        }
        const imp = findImporter(Buffer.concat(chunks).subarray(0, 64 * 1024), query.name);
        return { format: imp.format, description: imp.description };
      },
    }),
    defineRoute({
      method: 'post', path: '/imports', tag: 'import', access: 'write', binaryBody: true,
      summary: 'Import a file. All or nothing; the same bytes twice say already_imported. async=true answers 202 with a job to poll',
      query: ImportQuery, response: ImportResponse.or(JobView), status: 201,
      // an import accepted as a job is recorded when the job ends
      audit: { action: 'import', describe: ({ query }, out) => (out && 'state' in out ? null : importAudit(query.name, query.case, out)) },
      handler: async ({ query, principal, req, res, audit }) => {
        // the target case must be one of the user's before a byte is spooled: the named case, else the default
        // one (a case report or exchange file that names another case is checked again before anything is written)
        requireWritableCase(principal.cases, query.case ?? imports.defaultCase);
        const device = query.deviceImei || query.deviceNumber ? { imei: query.deviceImei, msisdn: query.deviceNumber } : undefined;
        const opts = { case: query.case, format: query.format, mapping: query.mapping, device, access: principal.cases, importedBy: principal.user };
        if (!query.async) {
          const out = await imports.importStream(req, { name: query.name, ...opts });
          res.status(out.status === 'applied' ? 201 : 200).json(out);
          return out;
        }
        const sp = await imports.receive(req, query.name);
        try {
          await imports.detect(sp, opts); // refuse unknown formats before answering 202
        } catch (err) {
          await sp.dispose();
          throw err;
        }
        return spooledJob(jobs, 'import', principal.user, sp, res, (progress) => imports.importSpooled(sp, { ...opts, onProgress: progress }), (out, err) => {
          const described = importAudit(query.name, query.case, out);
          const outcome = jobAudit(err);
          audit({ action: 'import', ...described, outcome: outcome.outcome, details: { ...described.details, ...outcome.details } });
        });
      },
    }),
    defineRoute({
      method: 'get', path: '/jobs/:id', tag: 'import', access: 'read', summary: 'State, progress and result of a background job',
      params: z.object({ id: z.string().uuid() }), response: JobView,
      // a job is seen by the user who started it and by admins; to anyone else it does not exist
      handler: async ({ params, principal }) => jobs.get(params.id, principal),
    }),
  ];
}
