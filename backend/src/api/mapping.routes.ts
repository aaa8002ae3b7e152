// Saved CDR column mappings (by name), and inference of a mapping from a file's head for the editor.
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { inferCdrMapping } from '../importers/cdr/cdr.infer.ts';
import { CdrMapping, MappingName } from '../importers/cdr/cdr.mapping.ts';
import type { MappingService } from '../services/mapping.service.ts';
import { defineRoute } from './route.ts';

const NameParams = z.object({ name: MappingName });
const Saved = CdrMapping.and(z.object({ name: z.string() }));

export function mappingRoutes(mappings: MappingService) {
  return [
    defineRoute({
      method: 'get', path: '/mappings', tag: 'import', access: 'read', summary: 'Saved CDR column mappings',
      response: z.object({ mappings: z.array(Saved), skipped: z.array(z.string()) }),
      handler: () => mappings.list(),
    }),
    defineRoute({
      method: 'get', path: '/mappings/:name', tag: 'import', access: 'read', summary: 'One saved mapping', params: NameParams, response: Saved,
      handler: ({ params }) => mappings.get(params.name),
    }),
    defineRoute({
      method: 'put', path: '/mappings/:name', tag: 'import', access: 'write', audit: { action: 'mapping.save', describe: ({ params }) => ({ target: params.name }) }, summary: 'Save (or replace) a mapping under a name',
      params: NameParams, body: z.record(z.string(), z.unknown()), response: Saved,
      handler: ({ params, body }) => mappings.save(params.name, body as never),
    }),
    defineRoute({
      method: 'delete', path: '/mappings/:name', tag: 'import', access: 'write', audit: { action: 'mapping.delete', describe: ({ params }) => ({ target: params.name }) }, summary: 'Delete a saved mapping', params: NameParams,
      response: z.object({ deleted: z.string() }),
      handler: async ({ params }) => {
        await mappings.delete(params.name);
        return { deleted: params.name };
      },
    }),
    defineRoute({
      method: 'post', path: '/imports/cdr/infer', tag: 'import', access: 'write', binaryBody: true,
      summary: 'Propose a CDR mapping from the first bytes of a CSV (send at most 64 KiB) to prefill the mapping step',
      query: z.object({ name: z.string().min(1).max(300) }),
      response: z.object({ mapping: CdrMapping, warnings: z.array(z.string()), header: z.array(z.string()) }),
      handler: async ({ query, req }) => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req as AsyncIterable<Buffer>) {
          size += c.length;
          if (size <= 64 * 1024) chunks.push(c);
        }
        const r = inferCdrMapping(Buffer.concat(chunks), size >= 64 * 1024);
        if ('problem' in r) throw new AppError('import_failed', `${query.name}: ${r.problem}`, { file: query.name, header: r.header });
        return r;
      },
    }),
  ];
}
