// The `.casegraph.json` snapshot, version 1: what a view holds (its entities, links, events and their
// sources, exactly as the store has them) plus the UI's view state, sealed by a manifest of SHA-256s.
//
// Layout — valid JSON that any tool reads, written one record per line so Casegraph streams it:
//   {"casegraph":"snapshot/1",
//   "meta":{…},                       who made it, when, the scope, whether victims were redacted
//   "view":{…},                       the UI's view state (positions, zoom, pan, styles, filters, …), opaque here
//   "entityIds":[…],                  the entities the view showed
//   "merges":[…],                     analysts' merges among them (re-applied on open)
//   "records":[
//   ["S",{source}],                   each original source, followed by the records it asserts:
//   ["E",{entity}], ["L",{link}], ["V",{event}], …
//   ["Z"]
//   ],
//   "manifest":{…}}                   SHA-256 of everything above this line, of each section and source
// Reformatting the file changes its bytes and therefore fails the manifest check: a snapshot opens
// exactly as written or not at all.
import { z } from 'zod';
import { EntityTypeSchema, LinkTypeSchema, Locator, Props } from '../../model/index.ts';
import { CarriedSource, Id } from '../carried.ts';

export const SNAPSHOT_VERSION = 'snapshot/1';
export const SNAPSHOT_HEAD = `{"casegraph":"${SNAPSHOT_VERSION}",`;

export const MAX_VIEW_BYTES = 4 * 1024 * 1024;
export const MAX_VIEW_DEPTH = 32;

/** Depth of a JSON value (1 for a scalar), counted without recursion. */
export function jsonDepth(v: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > limit) return max;
    if (x && typeof x === 'object') for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return max;
}

/** The UI's view state: any JSON object, bounded in size and depth; Casegraph does not interpret it. */
export const ViewState = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  if (jsonDepth(v, MAX_VIEW_DEPTH) > MAX_VIEW_DEPTH) ctx.addIssue({ code: 'custom', message: `the view state is nested deeper than ${MAX_VIEW_DEPTH} levels` });
  else if (Buffer.byteLength(JSON.stringify(v)) > MAX_VIEW_BYTES) ctx.addIssue({ code: 'custom', message: `the view state is larger than ${MAX_VIEW_BYTES / 1024 / 1024} MiB` });
});
export type ViewState = z.infer<typeof ViewState>;

const Counts = z.object({ entities: z.number().int().min(0), links: z.number().int().min(0), events: z.number().int().min(0), sources: z.number().int().min(0) });

export const SnapshotMeta = z.object({
  createdAt: z.string().max(40),
  createdBy: z.string().max(120),
  generator: z.string().max(100),
  scope: z.object({ kind: z.enum(['view', 'case', 'store']), case: z.string().max(120).optional(), ids: z.number().int().min(0) }),
  redacted: z.boolean(),
  victimsRedacted: z.number().int().min(0),
  counts: Counts,
});
export type SnapshotMeta = z.infer<typeof SnapshotMeta>;

export const SnapshotMerge = z.object({ keep: Id, merge: Id, by: z.string().max(120), at: z.string().max(40), text: z.string().max(20_000).optional() });

const Sha = z.string().regex(/^[0-9a-f]{64}$/);
export const SnapshotManifest = z.object({
  algorithm: z.literal('sha256'),
  /** SHA-256 of every byte of the file before the manifest line */
  contentSha256: Sha,
  contentBytes: z.number().int().min(0),
  sections: z.object({ meta: Sha, view: Sha, entityIds: Sha, merges: Sha }),
  sources: z.array(z.object({
    index: z.number().int().min(0),
    name: z.string().max(300),
    kind: z.string().max(40),
    case: z.string().max(120),
    /** SHA-256 of the original source file (as imported) */
    sha256: Sha,
    importedAt: z.string().max(40),
    records: z.object({ entities: z.number().int().min(0), links: z.number().int().min(0), events: z.number().int().min(0) }),
    /** SHA-256 of this source's lines in the file (its ["S",…] line and its records) */
    recordsSha256: Sha,
  })).max(100_000),
  counts: Counts,
});
export type SnapshotManifest = z.infer<typeof SnapshotManifest>;

/** Records as written: the store's own shapes, ids bounded. */
export const SnapEntity = z.object({ id: Id, type: EntityTypeSchema, label: z.string().max(500), props: Props, search: z.array(z.string().max(1000)).max(10_000), locators: z.array(Locator).max(1000) });
export const SnapLink = z.object({ id: Id, type: LinkTypeSchema, from: Id, to: Id, props: Props, locators: z.array(Locator).max(1000) });
export const SnapEvent = z.object({
  id: Id, kind: z.string().max(40), linkId: Id, from: Id, to: Id, at: z.string().max(40), durationS: z.number().nonnegative().nullable(),
  deleted: z.boolean(), original: z.string().max(200), props: Props, locator: Locator,
});
export const SnapSource = CarriedSource;
