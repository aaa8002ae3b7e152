// Report text → candidate entities: the shapes the extractor returns and the review UI sends back.
// Types come from these schemas (backend and frontend share them).
import { z } from 'zod';
import { ApplyResult, EntityTypeSchema, LinkTypeSchema, Props } from '../model/schemas.ts';

/** What a candidate was recognised as (finer than its entity type: a date and a raid are both Events). */
export const CandidateKind = z.enum(['phone', 'email', 'iban', 'card', 'wallet', 'money', 'date', 'person', 'organization', 'place']);
export type CandidateKind = z.infer<typeof CandidateKind>;

/** Characters [start, end) of the extracted plain text. */
export const Span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }).refine((s) => s.end > s.start, 'a span ends after it starts');
export type Span = z.infer<typeof Span>;

export const Sentence = z.object({ index: z.number().int().min(0), start: z.number().int().min(0), end: z.number().int().min(0) });
export type Sentence = z.infer<typeof Sentence>;

/** An entity already in the store that a candidate matches (same id, or same identifier/label). */
export const CandidateMatch = z.object({
  id: z.string(),
  type: EntityTypeSchema,
  label: z.string(),
  /** why it matched: the same normalised identifier (id) or a search hit on the label */
  by: z.enum(['id', 'label']),
  /** the sources that asserted it, for "already known from device A" */
  sources: z.array(z.object({ name: z.string(), kind: z.string(), case: z.string() })),
});
export type CandidateMatch = z.infer<typeof CandidateMatch>;

export const Candidate = z.object({
  /** stable within one extraction: c1, c2… */
  id: z.string(),
  kind: CandidateKind,
  type: EntityTypeSchema,
  /** the text as written in the document */
  text: z.string(),
  /** label the entity would get */
  label: z.string(),
  /** normalised value: E.164 number, lower-case e-mail, IBAN, masked card, ISO date, amount+currency, place key */
  value: z.string(),
  /** props the entity would get (lat/lon for places, amount/currency for money, cardHash for cards…) */
  props: Props,
  /** every mention; the first is the one shown */
  spans: z.array(Span).min(1),
  /** the sentence of each span (same order) */
  sentences: z.array(z.number().int().min(0)),
  matches: z.array(CandidateMatch),
});
export type Candidate = z.infer<typeof Candidate>;

/** A link proposed because two candidates occur in one sentence. */
export const ProposedLink = z.object({
  from: z.string(),
  to: z.string(),
  type: LinkTypeSchema,
  sentence: z.number().int().min(0),
});
export type ProposedLink = z.infer<typeof ProposedLink>;

export const TextDocumentKind = z.enum(['text', 'markdown', 'html', 'pdf']);

export const Extraction = z.object({
  /** handle for apply; the server keeps the document text and hash for a while */
  extractionId: z.string(),
  document: z.object({
    name: z.string(),
    kind: TextDocumentKind,
    sha256: z.string(),
    chars: z.number().int(),
    case: z.string(),
    region: z.string(),
    /** the date relative dates were resolved against (ISO date) */
    reportDate: z.string().optional(),
    /** true when this document was already applied to the case */
    alreadyApplied: z.boolean(),
  }),
  /** the plain text every span points into */
  text: z.string(),
  sentences: z.array(Sentence),
  candidates: z.array(Candidate),
  links: z.array(ProposedLink),
  /** what the extractor could not do fully (e.g. an IBAN look-alike whose checksum fails, a text past the name-finding budget) */
  warnings: z.array(z.string()).optional(),
});
export type Extraction = z.infer<typeof Extraction>;

/** What the reviewer accepted: candidates as edited, retyped or merged, and the links confirmed. */
export const ApplyText = z.object({
  extractionId: z.string().max(100),
  title: z.string().max(500).optional(),
  entities: z
    .array(
      z.object({
        /** the reviewer's handle for this entity (a candidate id, or a new one for an added entity) */
        ref: z.string().min(1).max(100),
        type: EntityTypeSchema,
        label: z.string().trim().min(1).max(500),
        props: Props.default({}),
        spans: z.array(Span).min(1).max(1000),
        /** write onto this existing entity instead of creating one (must be of the same type) */
        mergeWith: z.string().max(100).optional(),
      }),
    )
    .min(1, 'accept at least one candidate')
    .max(5000),
  links: z.array(z.object({ from: z.string().max(100), to: z.string().max(100), type: LinkTypeSchema })).max(20_000).default([]),
});
export type ApplyText = z.infer<typeof ApplyText>;

/** The apply answer: the store's counts, and the entity each accepted ref was written as (empty when already applied). */
export const AppliedText = ApplyResult.extend({ entityIds: z.record(z.string(), z.string()) });
export type AppliedText = z.infer<typeof AppliedText>;
