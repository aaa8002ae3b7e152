// FollowTheMoney entities as JSON lines (one `{id, schema, properties, casegraph}` per line, ids
// deterministic: our own record ids, and `src_…` source ids). Mapping and its losses: ftm.mapping.ts.
import { makeSourceId, type Props } from '../../model/index.ts';
import { encodeProv } from '../carried.ts';
import { aggregate, eventsByLink, type Scope, type ScopeEntity, type ScopeEvent, type ScopeLink } from '../scope.ts';
import type { Sink } from '../sink.ts';
import type { GraphWriteOptions } from '../graphml/graphml.writer.ts';
import { FAMILY_WORDS, FTM_ASSET, FTM_ENTITY_SCHEMA, FTM_LEGAL, FTM_ORG, LINK_ROLE, PROP_MAP } from './ftm.mapping.ts';

export const FTM_CONTEXT_VERSION = 1;

type FtmProps = Record<string, string[]>;

/** The exact Casegraph records a line stands for (FtM keeps unknown top-level fields as context). */
export type CgRecord =
  | ({ k: 'entity' } & Omit<ScopeEntity, 'prov'> & { prov: [number, string[]][] })
  | ({ k: 'link' } & Omit<ScopeLink, 'prov'> & { prov: [number, string[]][] })
  | ({ k: 'event' } & Omit<ScopeEvent, 'prov'> & { prov: [number, string[]][] });

const entityRec = (e: ScopeEntity): CgRecord => ({ k: 'entity', id: e.id, type: e.type, label: e.label, props: e.props, search: e.search, prov: encodeProv(e.prov) });
const linkRec = (l: ScopeLink): CgRecord => ({ k: 'link', id: l.id, type: l.type, from: l.from, to: l.to, props: l.props, prov: encodeProv(l.prov) });
const eventRec = (e: ScopeEvent): CgRecord => ({
  k: 'event', id: e.id, kind: e.kind, linkId: e.linkId, from: e.from, to: e.to, at: e.at, durationS: e.durationS, deleted: e.deleted, original: e.original, props: e.props, prov: encodeProv(e.prov),
});

function add(p: FtmProps, key: string, v: unknown): void {
  if (v === undefined || v === null || v === '') return;
  const values = Array.isArray(v) ? v : [v];
  const list = (p[key] ??= []);
  for (const x of values) {
    const s = String(x);
    if (s && !list.includes(s)) list.push(s);
  }
}

/** A number as FtM's phone type wants it: E.164 where we have it, else as written. */
function phoneValue(e: ScopeEntity): string | undefined {
  const n = e.props.number;
  if (typeof n === 'string' && n.startsWith('+')) return n;
  const o = e.props.original;
  return typeof o === 'string' && o.trim() ? o.trim() : undefined;
}

export async function writeFtm(scope: Scope, sink: Sink, _o: GraphWriteOptions): Promise<void> {
  const srcIds = scope.sources.map((s) => makeSourceId(s.sha256, s.case));
  const line = async (id: string, schema: string, properties: FtmProps, casegraph: Record<string, unknown>) => {
    sink.write(`${JSON.stringify({ id, schema, properties, casegraph: { v: FTM_CONTEXT_VERSION, ...casegraph } })}\n`);
    await sink.ready();
  };
  const proofOf = (prov: { s: number }[]) => [...new Set(prov.map((p) => srcIds[p.s]))];
  const publisherOf = (prov: { s: number }[]) => [...new Set(prov.map((p) => scope.sources[p.s].name))];

  // who uses or owns which phone, e-mail and account
  const PARTY = new Set(['Person', 'Group', 'Organization']);
  const usersOf = new Map<string, ScopeLink[]>();
  const phoneOfAccount = new Map<string, ScopeLink[]>();
  for (const l of scope.links.values()) {
    const from = scope.entities.get(l.from);
    const to = scope.entities.get(l.to);
    if (!from || !to) continue;
    if ((l.type === 'USES_PHONE' || l.type === 'USES_ACCOUNT' || l.type === 'OWNS') && PARTY.has(from.type) && ['Phone', 'Email', 'Account'].includes(to.type)) {
      (usersOf.get(to.id) ?? usersOf.set(to.id, []).get(to.id)!).push(l);
    } else if (l.type === 'USES_ACCOUNT' && from.type === 'Phone' && to.type === 'Account') {
      (phoneOfAccount.get(to.id) ?? phoneOfAccount.set(to.id, []).get(to.id)!).push(l);
    }
  }
  /** phones and e-mails folded into their single user, and the links that say so */
  const foldedInto = new Map<string, string>();
  const foldedLinks = new Set<string>();
  const carriedBy = new Map<string, CgRecord[]>();
  const carry = (ownerId: string, r: CgRecord) => (carriedBy.get(ownerId) ?? carriedBy.set(ownerId, []).get(ownerId)!).push(r);
  const partyValues = new Map<string, FtmProps>();
  for (const [id, users] of usersOf) {
    const e = scope.entities.get(id)!;
    const parties = [...new Set(users.map((l) => l.from))];
    if (e.type === 'Phone' || e.type === 'Email') {
      const value = e.type === 'Phone' ? phoneValue(e) : typeof e.props.address === 'string' ? e.props.address : e.label;
      for (const p of parties) add(partyValues.get(p) ?? partyValues.set(p, {}).get(p)!, e.type === 'Phone' ? 'phone' : 'email', value);
      if (parties.length === 1) {
        foldedInto.set(id, parties[0]);
        carry(parties[0], entityRec(e));
        for (const l of users) {
          foldedLinks.add(l.id);
          carry(parties[0], linkRec(l));
        }
      }
    } else if (e.type === 'Account' && parties.length === 1) {
      for (const l of users) {
        foldedLinks.add(l.id);
        carry(id, linkRec(l));
      }
    }
  }
  for (const [id, links] of phoneOfAccount) {
    for (const l of links) {
      foldedLinks.add(l.id);
      carry(id, linkRec(l));
    }
  }
  const schemaOf = (id: string): string | undefined => {
    const e = scope.entities.get(id);
    if (!e) return undefined;
    return foldedInto.has(id) ? scope.entities.get(foldedInto.get(id)!) && FTM_ENTITY_SCHEMA[scope.entities.get(foldedInto.get(id)!)!.type] : FTM_ENTITY_SCHEMA[e.type];
  };
  /** the FtM entity that stands for an endpoint (its user when folded) */
  const standIn = (id: string) => foldedInto.get(id) ?? id;

  for (let i = 0; i < scope.sources.length; i++) {
    const s = scope.sources[i];
    const p: FtmProps = {};
    add(p, 'title', s.title ?? s.name);
    add(p, 'fileName', s.name);
    add(p, 'summary', `Casegraph source: ${s.kind}, case ${s.case}, file sha256 ${s.sha256}, imported ${s.importedAt} by ${s.importedBy}`);
    add(p, 'date', s.importedAt.slice(0, 10));
    add(p, 'keywords', ['casegraph-source', s.kind]);
    await line(srcIds[i], 'Document', p, { source: s, index: i });
  }

  for (const e of scope.entities.values()) {
    if (foldedInto.has(e.id)) continue;
    const schema = FTM_ENTITY_SCHEMA[e.type];
    const p: FtmProps = {};
    if (schema === 'Document') add(p, 'title', e.label);
    else if (schema === 'Address') add(p, 'full', e.label);
    else if (schema === 'UserAccount') add(p, 'username', typeof e.props.handle === 'string' ? e.props.handle : e.label);
    else add(p, 'name', e.label);
    // Event is an Interval in FtM (no alias/keywords/proof): it names its sources in `publisher`
    const thing = schema !== 'Event';
    if (thing && schema !== 'UserAccount' && schema !== 'Address' && schema !== 'Document') add(p, 'alias', e.props.aliases);
    for (const [ours, theirs] of Object.entries(PROP_MAP[schema] ?? {})) {
      const v = e.props[ours];
      if (typeof v === 'string' || typeof v === 'number') add(p, theirs, theirs === 'nationality' || theirs === 'country' ? String(v).toLowerCase() : v);
    }
    if (thing && typeof e.props.role === 'string') add(p, 'keywords', e.props.role);
    if (e.type === 'Phone') add(p, 'phone', phoneValue(e));
    if (e.type === 'Email') add(p, 'email', typeof e.props.address === 'string' ? e.props.address : e.label);
    if (e.type === 'Device') add(p, 'summary', `Device${e.props.imei ? ` IMEI ${e.props.imei}` : ''}`);
    if (e.type === 'BankCard') add(p, 'accountType', 'payment card');
    if (e.type === 'Place') add(p, 'summary', 'place');
    if (schema === 'UserAccount') {
      const owners = (usersOf.get(e.id) ?? []).map((l) => l.from);
      if (new Set(owners).size === 1) add(p, 'owner', owners[0]);
      for (const l of phoneOfAccount.get(e.id) ?? []) {
        const ph = scope.entities.get(l.from);
        if (ph) add(p, 'number', phoneValue(ph));
      }
    }
    const extra = partyValues.get(e.id);
    if (extra) for (const [k, v] of Object.entries(extra)) add(p, k, v);
    if (thing) add(p, 'proof', proofOf(e.prov));
    else add(p, 'publisher', publisherOf(e.prov));
    await line(e.id, schema, p, { records: [entityRec(e), ...(carriedBy.get(e.id) ?? [])] });
  }

  const byLink = eventsByLink(scope);
  for (const l of scope.links.values()) {
    if (foldedLinks.has(l.id)) continue;
    const from = standIn(l.from);
    const to = standIn(l.to);
    const fs = schemaOf(l.from);
    const ts = schemaOf(l.to);
    const p: FtmProps = {};
    let schema = 'UnknownLink';
    const relation = typeof l.props.relation === 'string' ? l.props.relation : '';
    if (l.type === 'MEMBER_OF' && fs && FTM_LEGAL.has(fs) && ts && FTM_ORG.has(ts)) {
      schema = 'Membership';
      add(p, 'member', from);
      add(p, 'organization', to);
    } else if (l.type === 'LEADS' && fs && FTM_LEGAL.has(fs) && ts && FTM_ORG.has(ts)) {
      schema = 'Directorship';
      add(p, 'director', from);
      add(p, 'organization', to);
      add(p, 'role', 'leads');
    } else if (l.type === 'OWNS' && fs && FTM_LEGAL.has(fs) && ts && FTM_ASSET.has(ts)) {
      schema = 'Ownership';
      add(p, 'owner', from);
      add(p, 'asset', to);
    } else if (l.type === 'RELATED_TO' && fs === 'Person' && ts === 'Person' && FAMILY_WORDS.test(relation)) {
      schema = 'Family';
      add(p, 'person', from);
      add(p, 'relative', to);
      add(p, 'relationship', relation);
    } else {
      add(p, 'subject', from);
      add(p, 'object', to);
      add(p, 'role', relation || LINK_ROLE[l.type]);
    }
    const agg = aggregate(byLink.get(l.id));
    if (agg) {
      add(p, 'startDate', agg.firstAt);
      add(p, 'endDate', agg.lastAt);
      add(p, 'summary', `${agg.count} ${l.type === 'CALLED' ? 'call' : l.type === 'MESSAGED' ? 'message' : 'event'}${agg.count === 1 ? '' : 's'}${l.type === 'CALLED' ? `, ${agg.durationS} s in total` : ''}`);
    }
    const date = l.props.date ?? l.props.since;
    if (typeof date === 'string') add(p, 'date', date);
    add(p, 'publisher', publisherOf(l.prov));
    await line(l.id, schema, p, { records: [linkRec(l)] });
  }

  for (const ev of scope.events.values()) {
    const link = scope.links.get(ev.linkId);
    const p: FtmProps = {};
    const party = (id: string) => {
      const sid = standIn(id);
      const s = schemaOf(id);
      return s && FTM_LEGAL.has(s) ? sid : undefined;
    };
    const number = (id: string) => {
      const e = scope.entities.get(id);
      return e?.type === 'Phone' ? phoneValue(e) : undefined;
    };
    const account = (id: string) => (scope.entities.get(id)?.type === 'Account' ? id : undefined);
    let schema: string;
    if (link?.type === 'CALLED') {
      schema = 'Call';
      add(p, 'caller', party(ev.from));
      add(p, 'callerNumber', number(ev.from));
      add(p, 'receiver', party(ev.to));
      add(p, 'receiverNumber', number(ev.to));
      if (ev.durationS !== null) add(p, 'duration', ev.durationS);
    } else if (link?.type === 'MESSAGED') {
      schema = 'Message';
      add(p, 'sender', party(ev.from));
      add(p, 'senderAccount', account(ev.from));
      add(p, 'recipients', party(ev.to));
      add(p, 'recipientAccount', account(ev.to));
      const body = (ev.props as Props).body;
      if (typeof body === 'string') add(p, 'bodyText', body);
    } else {
      schema = 'Event';
      add(p, 'name', ev.kind);
      add(p, 'involved', [party(ev.from), party(ev.to)].filter(Boolean));
    }
    add(p, 'date', ev.at);
    add(p, 'publisher', publisherOf(ev.prov));
    await line(ev.id, schema, p, { records: [eventRec(ev)] });
  }
}
