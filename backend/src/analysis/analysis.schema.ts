// Analysis views: timeline, time-windowed link activity, period diff and key players. Request and
// response shapes as zod schemas; the API validates with them and the frontend imports their types.
import { z } from 'zod';
import { EntityTypeSchema, LinkTypeSchema } from '../model/schemas.ts';

export const Bucket = z.enum(['day', 'week', 'month']);
export type Bucket = z.infer<typeof Bucket>;

const IsoTime = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date or date-time');

/** A half-open UTC window [from, to); either end may be open. */
export const Window = z.object({ from: IsoTime.optional(), to: IsoTime.optional() });
export type Window = z.infer<typeof Window>;

/** What to analyse: the entities on the canvas (ids) or a whole case. Exactly one. */
export const Scope = z
  .object({
    case: z.string().min(1).max(120).optional(),
    ids: z.array(z.string().max(100)).min(1).max(5000).optional(),
  })
  .refine((s) => (s.case === undefined) !== (s.ids === undefined), 'give either case or ids');
export type Scope = z.infer<typeof Scope>;

// ---- timeline ---------------------------------------------------------------------------------------

export const TimelineRequest = z.object({ scope: Scope, bucket: Bucket.default('day'), window: Window.default({}) });
export type TimelineRequest = z.infer<typeof TimelineRequest>;

export const TimelineBucket = z.object({
  /** bucket start, UTC ISO (day: 00:00, week: Monday 00:00, month: the 1st) */
  start: z.string(),
  calls: z.number().int(),
  messages: z.number().int(),
  /** other raw events (travel legs, etc.) */
  other: z.number().int(),
  /** Event entities (raid, journey…) dated in this bucket */
  dated: z.number().int(),
});
export type TimelineBucket = z.infer<typeof TimelineBucket>;

export const Timeline = z.object({
  bucket: Bucket,
  /** first and last event time in scope (before windowing) */
  first: z.string().optional(),
  last: z.string().optional(),
  buckets: z.array(TimelineBucket),
  total: z.number().int(),
  /** Event entities with a date (props.date), drawn as markers */
  dated: z.array(z.object({ id: z.string(), label: z.string(), at: z.string(), kind: z.string().optional() })),
});
export type Timeline = z.infer<typeof Timeline>;

// ---- link activity in a window ------------------------------------------------------------------------

/** A communication link's activity (count, total duration, first and last time) within a window. */
export const LinkActivity = z.object({
  id: z.string(),
  type: LinkTypeSchema,
  from: z.string(),
  to: z.string(),
  count: z.number().int(),
  durationS: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
});
export type LinkActivity = z.infer<typeof LinkActivity>;

export const ActivityRequest = z.object({ scope: Scope, window: Window.default({}), limit: z.number().int().min(1).max(200_000).default(50_000) });
export type ActivityRequest = z.infer<typeof ActivityRequest>;
export const ActivityResponse = z.object({ links: z.array(LinkActivity), capped: z.boolean() });
export type ActivityResponse = z.infer<typeof ActivityResponse>;

// ---- period diff ---------------------------------------------------------------------------------------

export const DiffRequest = z.object({
  scope: Scope,
  a: Window,
  b: Window,
  /** a link or entity "changed strongly" when its event count grew or shrank by at least this factor */
  factor: z.number().min(1.1).max(100).default(3),
  /** …and by at least this many events (so 1 → 3 calls is not news) */
  minDelta: z.number().int().min(1).max(1_000_000).default(5),
});
export type DiffRequest = z.infer<typeof DiffRequest>;

export const DiffStatus = z.enum(['appeared', 'disappeared', 'rose', 'fell']);
export type DiffStatus = z.infer<typeof DiffStatus>;

export const PeriodCount = z.object({ count: z.number().int(), durationS: z.number() });

export const DiffResult = z.object({
  entities: z.array(z.object({ id: z.string(), type: EntityTypeSchema, label: z.string(), status: DiffStatus, a: PeriodCount, b: PeriodCount })),
  links: z.array(z.object({ id: z.string(), type: LinkTypeSchema, from: z.string(), to: z.string(), status: DiffStatus, a: PeriodCount, b: PeriodCount })),
  /** a number active only in B whose counterparts are largely those of a number active only in A */
  takeovers: z.array(z.object({ gone: z.string(), successor: z.string(), shared: z.array(z.string()), overlap: z.number() })),
  /** the same facts as sentences, most significant first */
  lines: z.array(z.string()),
  /** true when entities, links, takeovers or lines were cut to their bounds (the most significant kept) */
  capped: z.boolean().optional(),
});
export type DiffResult = z.infer<typeof DiffResult>;

// ---- key players -----------------------------------------------------------------------------------

export const Measure = z.enum(['degree', 'betweenness', 'eigenvector']);
export type Measure = z.infer<typeof Measure>;

export const KeyPlayersRequest = z.object({
  scope: Scope,
  /** sample this many source nodes for betweenness on large graphs (exact when the graph has fewer nodes) */
  betweennessSamples: z.number().int().min(10).max(100_000).default(500),
});
export type KeyPlayersRequest = z.infer<typeof KeyPlayersRequest>;

export const NodeScore = z.object({
  id: z.string(),
  degree: z.number(),
  betweenness: z.number(),
  eigenvector: z.number(),
  community: z.number().int(),
  /** removing this entity splits its community into two or more parts */
  bridge: z.boolean(),
  /** removing this entity splits its connected component (it may join two communities that have no other link) */
  cut: z.boolean().optional(),
});
export type NodeScore = z.infer<typeof NodeScore>;

export const KeyPlayers = z.object({
  nodes: z.array(NodeScore),
  communities: z.array(z.object({ id: z.number().int(), size: z.number().int() })),
  nodeCount: z.number().int(),
  edgeCount: z.number().int(),
  /** true when betweenness was estimated from a sample of sources */
  betweennessSampled: z.boolean(),
  modularity: z.number(),
  /** true when the scope held more entities or links than the server analyses at once (the first ones were used) */
  capped: z.boolean().optional(),
});
export type KeyPlayers = z.infer<typeof KeyPlayers>;
