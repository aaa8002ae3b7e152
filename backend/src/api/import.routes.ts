// Import route: the file is the raw request body (streamed to a bounded spool), the name and case in the query.
import { z } from 'zod';
import { ApplyResult } from '../model/index.ts';
import type { ImportService } from '../services/import.service.ts';
import { defineRoute } from './route.ts';

const ImportQuery = z.object({
  name: z.string().min(1).max(300),
  case: z.string().min(1).max(120).optional(),
  format: z.string().max(40).optional(),
});

export const ImportResponse = ApplyResult.extend({ format: z.string(), file: z.string(), sha256: z.string() });

export function importRoutes(imports: ImportService) {
  return [
    defineRoute({
      method: 'post', path: '/imports', tag: 'import', binaryBody: true,
      summary: 'Import a file (case report; more formats as importers are added). All or nothing; the same bytes twice say already_imported',
      query: ImportQuery, response: ImportResponse, status: 201,
      handler: async ({ query, req, res }) => {
        const out = await imports.importStream(req, { name: query.name, case: query.case, format: query.format });
        res.status(out.status === 'applied' ? 201 : 200).json(out);
        return out;
      },
    }),
  ];
}
