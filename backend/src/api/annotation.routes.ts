// Analyst actions on the graph: notes and merges (with unmerge). Each is an append-only annotation
// recording who and when.
import { z } from 'zod';
import { Annotation, AnnotationKind } from '../model/index.ts';
import type { GraphService } from '../services/graph.service.ts';
import type { GraphStore } from '../storage/port.ts';
import { defineRoute } from './route.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) });

export function annotationRoutes(graph: GraphService, store: GraphStore) {
  return [
    defineRoute({
      method: 'post', path: '/entities/:id/notes', tag: 'annotations', access: 'write', summary: 'Add a note to an entity (who and when are recorded)',
      params: IdParams, body: z.object({ text: z.string().trim().min(1).max(20_000) }), response: Annotation, status: 201,
      audit: { action: 'note', describe: ({ params }, out) => ({ target: params.id, details: { annotation: out?.id } }) },
      handler: ({ params, body, principal }) => graph.addNote(params.id, body.text, principal.user),
    }),
    defineRoute({
      method: 'post', path: '/merges', tag: 'annotations', access: 'write', summary: 'Merge two entities that are the same; reads then show one',
      body: z.object({ keep: z.string().min(1).max(100), merge: z.string().min(1).max(100), reason: z.string().max(2000).optional() }),
      response: Annotation, status: 201,
      audit: { action: 'merge', describe: ({ body }, out) => ({ target: body.keep, details: { merged: body.merge, reason: body.reason, annotation: out?.id } }) },
      handler: ({ body, principal }) => graph.merge(body.keep, body.merge, principal.user, body.reason),
    }),
    defineRoute({
      method: 'post', path: '/merges/:id/undo', tag: 'annotations', access: 'write', summary: 'Undo a merge (unmerge)',
      params: IdParams, response: Annotation, status: 201,
      audit: { action: 'unmerge', describe: ({ params }, out) => ({ target: params.id, details: { annotation: out?.id } }) },
      handler: ({ params, principal }) => graph.unmerge(params.id, principal.user),
    }),
    defineRoute({
      method: 'get', path: '/annotations', tag: 'annotations', access: 'read', summary: 'The annotation log (notes, merges, unmerges), oldest first',
      query: z.object({ entityId: z.string().max(100).optional(), kind: AnnotationKind.optional() }),
      response: z.object({ annotations: z.array(Annotation) }),
      handler: async ({ query }) => ({ annotations: await store.listAnnotations(query) }),
    }),
  ];
}
