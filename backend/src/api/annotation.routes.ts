// Analyst actions on the graph: notes and merges (with unmerge). Each is an append-only annotation
// recording who and when.
import type { Request } from 'express';
import { z } from 'zod';
import { Annotation, AnnotationKind } from '../model/index.ts';
import type { GraphService } from '../services/graph.service.ts';
import type { GraphStore } from '../storage/port.ts';
import { defineRoute } from './route.ts';

/**
 * Who is acting. Until sign-in exists this is the X-Casegraph-User header (default "local"); it may be
 * percent-encoded, since browsers only send Latin-1 header values.
 */
export function actor(req: Request): string {
  let h = req.get('x-casegraph-user') ?? '';
  try {
    h = decodeURIComponent(h);
  } catch {
    return 'local';
  }
  return (/^[\p{L}\p{N} ._@-]{1,120}$/u.test(h) ? h : 'local').trim();
}

const IdParams = z.object({ id: z.string().min(1).max(100) });

export function annotationRoutes(graph: GraphService, store: GraphStore) {
  return [
    defineRoute({
      method: 'post', path: '/entities/:id/notes', tag: 'annotations', summary: 'Add a note to an entity (who and when are recorded)',
      params: IdParams, body: z.object({ text: z.string().trim().min(1).max(20_000) }), response: Annotation, status: 201,
      handler: ({ params, body, req }) => graph.addNote(params.id, body.text, actor(req)),
    }),
    defineRoute({
      method: 'post', path: '/merges', tag: 'annotations', summary: 'Merge two entities that are the same; reads then show one',
      body: z.object({ keep: z.string().min(1).max(100), merge: z.string().min(1).max(100), reason: z.string().max(2000).optional() }),
      response: Annotation, status: 201,
      handler: ({ body, req }) => graph.merge(body.keep, body.merge, actor(req), body.reason),
    }),
    defineRoute({
      method: 'post', path: '/merges/:id/undo', tag: 'annotations', summary: 'Undo a merge (unmerge)',
      params: IdParams, response: Annotation, status: 201,
      handler: ({ params, req }) => graph.unmerge(params.id, actor(req)),
    }),
    defineRoute({
      method: 'get', path: '/annotations', tag: 'annotations', summary: 'The annotation log (notes, merges, unmerges), oldest first',
      query: z.object({ entityId: z.string().max(100).optional(), kind: AnnotationKind.optional() }),
      response: z.object({ annotations: z.array(Annotation) }),
      handler: async ({ query }) => ({ annotations: await store.listAnnotations(query) }),
    }),
  ];
}
