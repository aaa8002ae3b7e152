// Ids derive from a type and its identity key, so the same phone, card or place from two sources is one entity.
import { createHash } from 'node:crypto';
import type { EntityType, LinkType } from './ontology.ts';

const PREFIX: Record<EntityType, string> = {
  Person: 'per', Group: 'grp', Organization: 'org', Phone: 'tel', Device: 'dev', BankCard: 'card',
  BankAccount: 'acct', Account: 'user', Email: 'mail', Address: 'addr', Place: 'plc', Event: 'evt',
  Document: 'doc', Asset: 'ast', Vehicle: 'veh',
};

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 24);
}

/** Entity id: a readable type prefix and a hash of (type, identity key). */
export function makeId(type: EntityType, key: string): string {
  return `${PREFIX[type]}_${digest([type, key])}`;
}

/** Link id: one link per (type, from, to) — repeated assertions merge and communication events aggregate on it. */
export function makeLinkId(type: LinkType, from: string, to: string): string {
  return `lnk_${digest([type, from, to])}`;
}

/** Event id: the dedupe key of a raw event, so the same call seen in two extractions is one event. */
export function makeEventId(parts: (string | number | undefined)[]): string {
  return `ev_${digest(parts.map((p) => String(p ?? '')))}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Source id: one per (file hash, case); importing the same bytes into the same case again is a no-op. */
export function makeSourceId(sha256: string, caseName: string): string {
  return `src_${digest([sha256, caseName])}`;
}
