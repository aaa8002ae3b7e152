// Reads FollowTheMoney JSON lines. Lines written by Casegraph carry a `casegraph` context with the exact
// records (and one Document line per original source): those restore exactly, each source with its own
// sha256 and locators. Other FtM data (Aleph exports, `ftm` tool output) is mapped onto the ontology
// as one source — the file: people, organisations, addresses, bank and user accounts, vehicles, events,
// documents; phone/email properties become Phone/Email entities used by their party; Membership,
// Directorship, Ownership, Family, Associate, UnknownLink become links; Call and Message become call and
// message events between the numbers (or accounts) involved. Other schemata are counted and skipped.
import { z } from 'zod';
import { importError } from '../../errors.ts';
import { BatchBuilder, isLinkType, linkAllowed, ModelError, type EntityType, type LinkType, type Props } from '../../model/index.ts';
import type { ImportContext, ImportInput } from '../../importers/types.ts';
import { CarriedEntity, CarriedEvent, CarriedLink, CarriedSource, decodeProv, parseCarried, toBatches, type Carried } from '../carried.ts';
import { batchesAsSources, exchangeImporter, type ExchangeRead } from '../exchange-importer.ts';
import { readLines } from '../lines.ts';
import type { ScopeSource } from '../scope.ts';
import { FTM_CONTEXT_VERSION } from './ftm.writer.ts';

const MAX_FTM_LINE = 64 * 1024 * 1024;

const FtmLine = z.object({
  id: z.string().min(1).max(1000),
  schema: z.string().min(1).max(60),
  properties: z.record(z.string(), z.array(z.unknown())).default({}),
  casegraph: z.object({ v: z.number(), source: z.unknown().optional(), index: z.number().int().min(0).optional(), records: z.array(z.unknown()).optional() }).optional(),
});
type FtmLine = z.infer<typeof FtmLine>;

const Record_ = z.discriminatedUnion('k', [
  CarriedEntity.extend({ k: z.literal('entity') }),
  CarriedLink.extend({ k: z.literal('link') }),
  CarriedEvent.extend({ k: z.literal('event') }),
]);

async function readAll(input: ImportInput): Promise<{ lines: (FtmLine & { no: number })[] }> {
  const lines: (FtmLine & { no: number })[] = [];
  for await (const { no, bytes } of readLines(input.path, input.name, MAX_FTM_LINE)) {
    const text = bytes.toString('utf8').trim();
    if (!text) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw importError(input.name, `line ${no}`, `invalid JSON: ${(err as Error).message}`);
    }
    lines.push({ ...parseCarried(FtmLine, raw, input.name, `line ${no}`), no });
  }
  return { lines };
}

function carriedFrom(lines: (FtmLine & { no: number })[], file: string): { carried: Carried; ignored: number } {
  const sources: ScopeSource[] = [];
  const c: Carried = { sources, entities: [], links: [], events: [] };
  let ignored = 0;
  for (const l of lines) {
    const cg = l.casegraph;
    if (!cg) {
      ignored++;
      continue;
    }
    if (cg.v !== FTM_CONTEXT_VERSION) throw importError(file, `line ${l.no}`, `casegraph context version ${cg.v} is not supported`);
    if (cg.source !== undefined) {
      const s = parseCarried(CarriedSource, cg.source, file, `line ${l.no} casegraph.source`);
      if (cg.index === undefined || cg.index !== sources.length) throw importError(file, `line ${l.no}`, 'source lines must come first, in order');
      sources.push({ ...s, importedBy: s.importedBy, importedAt: s.importedAt });
    }
    (cg.records ?? []).forEach((r, i) => {
      const rec = parseCarried(Record_, r, file, `line ${l.no} casegraph.records[${i}]`);
      if (rec.k === 'entity') c.entities.push({ id: rec.id, type: rec.type, label: rec.label, props: rec.props, search: rec.search, prov: decodeProv(rec.prov) });
      else if (rec.k === 'link') c.links.push({ id: rec.id, type: rec.type, from: rec.from, to: rec.to, props: rec.props, prov: decodeProv(rec.prov) });
      else c.events.push({ ...rec, prov: decodeProv(rec.prov) });
    });
  }
  return { carried: c, ignored };
}

const str = (v: unknown[] | undefined): string[] => (v ?? []).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
const first = (v: unknown[] | undefined): string | undefined => str(v)[0];

const ENTITY_OF: Record<string, EntityType> = {
  Person: 'Person', LegalEntity: 'Person', Organization: 'Organization', Company: 'Organization', PublicBody: 'Organization',
  Address: 'Address', BankAccount: 'BankAccount', UserAccount: 'Account', Vehicle: 'Vehicle', Event: 'Event', Document: 'Document', Asset: 'Asset',
};
const EDGE_OF: Record<string, { type: LinkType; from: string; to: string }> = {
  Membership: { type: 'MEMBER_OF', from: 'member', to: 'organization' },
  Directorship: { type: 'LEADS', from: 'director', to: 'organization' },
  Ownership: { type: 'OWNS', from: 'owner', to: 'asset' },
  Family: { type: 'RELATED_TO', from: 'person', to: 'relative' },
  Associate: { type: 'RELATED_TO', from: 'person', to: 'associate' },
  Employment: { type: 'RELATED_TO', from: 'employee', to: 'employer' },
  UnknownLink: { type: 'RELATED_TO', from: 'subject', to: 'object' },
};
/** FtM property → our prop, per our entity type (the inverse of the writer's mapping, for common fields). */
const PROPS_IN: Partial<Record<EntityType, Record<string, string>>> = {
  Person: { nationality: 'nationality', gender: 'gender', birthDate: 'birthDate', country: 'country', notes: 'note' },
  Organization: { country: 'country', classification: 'kind', notes: 'note' },
  Address: { country: 'country', street: 'street', city: 'city', postalCode: 'postalCode', latitude: 'lat', longitude: 'lon' },
  BankAccount: { bankName: 'bank', bic: 'bic' },
  Account: { service: 'service' },
  Vehicle: { model: 'model', type: 'type' },
  Event: { date: 'date', country: 'country', summary: 'note' },
  Document: { sourceUrl: 'url', publishedAt: 'published', author: 'author', language: 'language' },
};

function thirdParty(lines: (FtmLine & { no: number })[], input: ImportInput, ctx: ImportContext) {
  const caseName = ctx.case ?? ctx.defaultCase;
  const b = new BatchBuilder({ sha256: input.sha256, kind: 'ftm', name: input.name, case: caseName, importedBy: ctx.importedBy });
  const ids = new Map<string, string>();
  const phonesOf = new Map<string, string[]>();
  const skipped = new Map<string, number>();
  const locator = (l: FtmLine & { no: number }) => `line ${l.no} (${l.schema} ${l.id.slice(0, 60)})`.slice(0, 500);
  const phone = (number: string, loc: string) => b.phone(number, { region: ctx.defaultRegion, scope: `${input.sha256}/${loc}`, locator: loc }).id;
  const guard = <T>(l: FtmLine & { no: number }, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ModelError) throw importError(input.name, locator(l), err.message);
      throw err;
    }
  };
  // entities first: FtM lines are in no particular order
  for (const l of lines) {
    const type = ENTITY_OF[l.schema];
    if (!type) continue;
    const p = l.properties;
    const loc = locator(l);
    guard(l, () => {
      const label = (first(p.name) ?? first(p.title) ?? first(p.full) ?? first(p.username) ?? first(p.iban) ?? first(p.accountNumber) ?? first(p.registrationNumber) ?? l.id).slice(0, 500);
      const props: Props = {};
      for (const [theirs, ours] of Object.entries(PROPS_IN[type] ?? {})) {
        const v = first(p[theirs]);
        if (v !== undefined) props[ours] = ours === 'lat' || ours === 'lon' ? Number(v) : v;
      }
      if (type === 'BankAccount') {
        const iban = first(p.iban);
        const acct = first(p.accountNumber);
        if (iban) props.iban = iban.replace(/\s+/g, '').toUpperCase();
        if (acct) props.accountNumber = acct;
      }
      if (type === 'Account') props.handle = first(p.username) ?? label;
      if (type === 'Vehicle' && first(p.registrationNumber)) props.registration = first(p.registrationNumber)!;
      const aliases = str(p.alias);
      const id = b.entity(type, { key: `${caseName}/ftm/${l.id}`, label, props, ...(aliases.length ? { aliases } : {}), locator: loc });
      ids.set(l.id, id);
      if (type === 'Person' || type === 'Organization') {
        for (const n of str(p.phone)) {
          const ph = phone(n, loc);
          (phonesOf.get(l.id) ?? phonesOf.set(l.id, []).get(l.id)!).push(ph);
          b.link('USES_PHONE', id, ph, loc);
        }
        for (const mail of str(p.email)) b.link('USES_ACCOUNT', id, b.entity('Email', { label: mail, props: { address: mail.toLowerCase() }, locator: loc }), loc);
      }
      if (type === 'Account') for (const n of str(p.number)) b.link('USES_ACCOUNT', phone(n, loc), id, loc);
    });
  }
  // accounts' owners, edges and intervals
  let related = 0;
  for (const l of lines) {
    const p = l.properties;
    const loc = locator(l);
    if (l.schema === 'UserAccount') {
      for (const owner of str(p.owner)) {
        const from = ids.get(owner);
        const to = ids.get(l.id);
        if (from && to) guard(l, () => b.link('USES_ACCOUNT', from, to, loc));
      }
      continue;
    }
    if (ENTITY_OF[l.schema]) continue;
    const edge = EDGE_OF[l.schema];
    if (edge) {
      for (const f of str(p[edge.from])) {
        for (const t of str(p[edge.to])) {
          const from = ids.get(f);
          const to = ids.get(t);
          if (!from || !to) continue;
          const relation = first(p.relationship) ?? first(p.role);
          guard(l, () => {
            const ft = b.typeOf(from)!;
            const tt = b.typeOf(to)!;
            if (edge.type !== 'RELATED_TO' && isLinkType(edge.type) && linkAllowed(edge.type, ft, tt)) b.link(edge.type, from, to, loc, relation ? { role: relation } : {});
            else {
              if (edge.type !== 'RELATED_TO') related++;
              b.link('RELATED_TO', from, to, loc, { relation: relation ?? l.schema });
            }
          });
        }
      }
      continue;
    }
    if (l.schema === 'Call' || l.schema === 'Message') {
      const call = l.schema === 'Call';
      const endpoint = (numbers: string[], parties: string[], accounts: string[]): string | undefined => {
        if (numbers.length) return phone(numbers[0], loc);
        for (const a of accounts) if (ids.get(a)) return ids.get(a);
        for (const x of parties) if (phonesOf.get(x)?.length) return phonesOf.get(x)![0];
        return undefined;
      };
      const from = endpoint(call ? str(p.callerNumber) : [], str(call ? p.caller : p.sender), str(p.senderAccount));
      const tos = call
        ? [endpoint(str(p.receiverNumber), str(p.receiver), [])]
        : [...str(p.recipients).map((r) => endpoint([], [r], [])), ...str(p.recipientAccount).map((a) => endpoint([], [], [a]))];
      const date = first(p.date) ?? first(p.startDate);
      const at = date ? new Date(date) : null;
      for (const to of tos) {
        if (!from || !to) {
          skipped.set(`${l.schema} without numbers or accounts for both parties`, (skipped.get(`${l.schema} without numbers or accounts for both parties`) ?? 0) + 1);
          continue;
        }
        guard(l, () => {
          const lt: LinkType = call ? 'CALLED' : 'MESSAGED';
          if (at && !Number.isNaN(at.getTime())) {
            const dur = Number(first(p.duration));
            b.event(lt, from, to, { kind: call ? 'call' : 'message', at, durationS: Number.isFinite(dur) ? dur : null, original: date, locator: loc });
          } else b.link(lt, from, to, loc);
        });
      }
      continue;
    }
    skipped.set(l.schema, (skipped.get(l.schema) ?? 0) + 1);
  }
  if (related) b.warn(`${related} FtM relationship(s) did not fit the Casegraph link type between their ends and were imported as RELATED_TO`);
  for (const [what, n] of skipped) b.warn(`${n} FtM ${what} line(s) skipped`);
  return b.build();
}

export async function readFtm(input: ImportInput, ctx: ImportContext): Promise<ExchangeRead> {
  const { lines } = await readAll(input);
  if (lines.some((l) => l.casegraph)) {
    const { carried, ignored } = carriedFrom(lines, input.name);
    const batches = toBatches(carried, input.name, ctx.case);
    const warnings = ignored ? [`${ignored} line(s) without a casegraph context were ignored (the file is a Casegraph export)`] : [];
    return { format: 'ftm', provenance: 'original', sourceCount: batches.length, sources: batchesAsSources(batches), warnings };
  }
  const batch = thirdParty(lines, input, ctx);
  return { format: 'ftm', provenance: 'file', sourceCount: 1, sources: batchesAsSources([batch]), warnings: batch.warnings };
}

export const ftmImporter = exchangeImporter({
  format: 'ftm',
  description: 'FollowTheMoney entities as JSON lines (Aleph, `ftm`); Casegraph exports restore exactly',
  detect(head, name) {
    const firstLine = head.toString('utf8', 0, Math.min(head.length, 65536)).split('\n', 1)[0].trim();
    if (/\.ftm\.jsonl?$|\.ijson$/i.test(name)) return true;
    if (!firstLine.startsWith('{')) return false;
    return /"schema"\s*:\s*"[A-Z][A-Za-z]+"/.test(firstLine) && /"properties"\s*:/.test(firstLine) && !/"elements"\s*:/.test(firstLine);
  },
  read: readFtm,
});
