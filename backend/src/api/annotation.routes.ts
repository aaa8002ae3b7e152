// Analyst actions on the graph: notes and merges (with unmerge). Each is an append-only annotation
// recording who and when.
import { z } from 'zod';
import { Annotation, AnnotationKind } from '../model/index.ts';
import type { GraphService } from '../services/graph.service.ts';
import type { GraphStore } from '../storage/port.ts';
import { AppError } from '../errors.ts';
import { requireVisibleIds } from '../services/case-access.ts';
import { defineRoute } from './route.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) });

export function annotationRoutes(graph: GraphService, store: GraphStore) {
  return [
    defineRoute({
      method: 'post', path: '/entities/:id/notes', tag: 'annotations', access: 'write', summary: 'Add a note to an entity (who and when are recorded)',
      params: IdParams, body: z.object({ text: z.string().trim().min(1).max(20_000) }), response: Annotation, status: 201,
      audit: { action: 'note', describe: ({ params }, out) => ({ target: params.id, details: { annotation: out?.id } }) },
      handler: async ({ params, body, principal }) => {
        // an entity none of the user's cases asserts answers 404, as a missing one
        await requireVisibleIds(store, principal.cases, [params.id]);
        return graph.addNote(params.id, body.text, principal.user);
      },
    }),
    defineRoute({
      method: 'post', path: '/merges', tag: 'annotations', access: 'write', summary: 'Merge two entities that are the same; reads then show one',
      body: z.object({ keep: z.string().min(1).max(100), merge: z.string().min(1).max(100), reason: z.string().max(2000).optional() }),
      response: Annotation, status: 201,
      audit: { action: 'merge', describe: ({ body }, out) => ({ target: body.keep, details: { merged: body.merge, reason: body.reason, annotation: out?.id } }) },
      handler: async ({ body, principal }) => {
        await requireVisibleIds(store, principal.cases, [body.keep, body.merge]);
        return graph.merge(body.keep, body.merge, principal.user, body.reason);
      },
    }),
    defineRoute({
      method: 'post', path: '/merges/:id/undo', tag: 'annotations', access: 'write', summary: 'Undo a merge (unmerge)',
      params: IdParams, response: Annotation, status: 201,
      audit: { action: 'unmerge', describe: ({ params }, out) => ({ target: params.id, details: { annotation: out?.id } }) },
      handler: async ({ params, principal }) => {
        if (principal.cases !== 'all') {
          // undone only by a user who sees both entities; to anyone else the merge answers as a missing one
          const m = (await store.listAnnotations({ kind: 'merge' })).find((a) => a.id === params.id);
          if (m) {
            const ids = [m.entityId, ...(m.targetId ? [m.targetId] : [])];
            const seen = await store.visibleIn(ids, [...principal.cases]);
            if (!ids.every((id) => seen.has(id))) throw new AppError('not_found', `no active merge ${params.id}`);
          }
        }
        return graph.unmerge(params.id, principal.user);
      },
    }),
    defineRoute({
      method: 'get', path: '/annotations', tag: 'annotations', access: 'read', queued: true, summary: 'The annotation log (notes, merges, unmerges), oldest first',
      query: z.object({ entityId: z.string().max(100).optional(), kind: AnnotationKind.optional() }),
      response: z.object({ annotations: z.array(Annotation) }),
      handler: async ({ query, principal }) => ({ annotations: await graph.annotations(query, principal.cases) }),
    }),
  ];
}
