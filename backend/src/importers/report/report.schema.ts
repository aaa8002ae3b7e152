// The case report file format (`*.report.yaml`, also accepted as JSON): what an investigator writes
// from a police report or article. Validated with zod; positions are reported as paths and lines.
import { z } from 'zod';
import { ENTITY_TYPES, LINK_TYPES, ROLES } from '../../model/index.ts';

const Ref = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/, 'a ref is letters, digits and _ . : - (max 120)');
const Scalar = z.union([z.string().max(5000), z.number(), z.boolean()]);
const PropsIn = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'property names are identifiers'), z.union([Scalar, z.array(Scalar).max(100)]));

function oneOf<T extends readonly string[]>(values: T, what: string) {
  return z.string().refine((v): v is T[number] => (values as readonly string[]).includes(v), {
    error: (iss) => `unknown ${what} "${String(iss.input)}"`,
  });
}

export const ReportEntity = z.object({
  ref: Ref,
  type: oneOf(ENTITY_TYPES, 'type'),
  label: z.string().min(1).max(500),
  /** identity key when the type has no natural identifier; defaults to case + ref */
  key: z.string().max(200).optional(),
  aliases: z.array(z.string().max(200)).max(50).optional(),
  role: oneOf(ROLES, 'role').optional(),
  /** phone number, card number or IMEI as written; normalised on import (cards are never stored in full) */
  number: z.string().max(64).optional(),
  imei: z.string().regex(/^\d{14,16}$/, 'an IMEI is 14 to 16 digits').optional(),
  /** ISO date or date-time (events) */
  date: z.string().regex(/^\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$/, 'dates are ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)').optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
  props: PropsIn.optional(),
  /** where the document says it: paragraph, page, line */
  at: z.string().min(1).max(200),
}).strict();

export const ReportLink = z.object({
  type: oneOf(LINK_TYPES, 'link type'),
  from: Ref,
  to: Ref,
  props: PropsIn.optional(),
  at: z.string().min(1).max(200),
}).strict();

export const ReportFile = z.object({
  casegraph: z.literal('report/1', { error: 'the first key must be `casegraph: report/1`' }),
  case: z.string().min(1).max(120),
  document: z.object({
    title: z.string().min(1).max(500),
    publisher: z.string().max(200).optional(),
    author: z.string().max(200).optional(),
    published: z.string().max(40).optional(),
    url: z.string().url().optional(),
    language: z.string().max(10).optional(),
    note: z.string().max(2000).optional(),
  }).strict(),
  /** default region for national-format phone numbers in this report (ISO 3166 alpha-2) */
  region: z.string().regex(/^[A-Z]{2}$/).optional(),
  entities: z.array(ReportEntity).max(100_000),
  links: z.array(ReportLink).max(500_000).default([]),
}).strict();
export type ReportFile = z.infer<typeof ReportFile>;
