// Report text routes: extract candidates from an uploaded document (raw bytes), then apply what a
// reviewer accepted as one source, recorded under the signed-in user.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { TextService } from '../services/text.service.ts';
import { MAX_DOCUMENT_BYTES } from '../text/document.ts';
import { AppliedText, ApplyText, Extraction } from '../text/text.schema.ts';
import { safeName } from '../services/import.service.ts';
import { requireWritableCase } from '../services/case-access.ts';
import { defineRoute } from './route.ts';

/** apply bodies carry thousands of spans for a long document: larger than the default, still bounded */
export const TEXT_APPLY_JSON_LIMIT = '8mb';

const ExtractQuery = z.object({
  name: z.string().min(1).max(300),
  case: z.string().min(1).max(120).optional(),
  reportDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date (YYYY-MM-DD)').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a calendar date').optional(),
  region: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code like PE').transform((r) => r.toUpperCase()).optional(),
});

/** Reads a request body into memory, refusing it past `limit` bytes (documents are small; no spool needed). */
async function readBody(body: Readable, limit: number, name: string, declared?: string): Promise<Buffer> {
  const tooLarge = () => new AppError('payload_too_large', `${name}: documents are limited to ${limit / 1024 / 1024} MiB`);
  if (declared && Number(declared) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) throw tooLarge();
    chunks.push(c);
  }
  if (size === 0) throw new AppError('bad_request', `${name}: the upload is empty`);
  return Buffer.concat(chunks);
}

export function textRoutes(text: TextService) {
  return [
    defineRoute({
      method: 'post', path: '/text/extract', tag: 'text', access: 'write', binaryBody: true,
      summary: 'Read a report (plain text, Markdown, HTML or PDF; raw bytes) and propose entities, each with the sentences it came from',
      query: ExtractQuery, response: Extraction,
      handler: async ({ query, principal, req }) => {
        const name = safeName(query.name);
        // only into one of the user's cases, refused before the document is read
        requireWritableCase(principal.cases, query.case ?? text.defaultCase);
        const bytes = await readBody(req, MAX_DOCUMENT_BYTES, name, req.get('content-length'));
        return text.extract(bytes, { name, case: query.case, region: query.region, reportDate: query.reportDate, access: principal.cases });
      },
    }),
    defineRoute({
      method: 'post', path: '/text/apply', tag: 'text', access: 'write',
      summary: 'Write the accepted entities and links of an extraction as one source (201), or say already_imported (200)',
      body: ApplyText, response: AppliedText, status: 201,
      audit: { action: 'text.apply', describe: ({ body }, out) => ({ case: out?.case, target: out?.sourceId, details: { extraction: body.extractionId, status: out?.status, entities: body.entities.length, links: body.links.length } }) },
      handler: async ({ body, principal, res }) => {
        const out = await text.apply(body, principal.user, principal.cases);
        res.status(out.status === 'applied' ? 201 : 200).json(out);
        return out;
      },
    }),
  ];
}
