// The Casegraph ontology as data: entity types, link types with their allowed endpoints, and how each
// entity type is identified. Everything else (ids, validation, Neo4j labels, styles) is derived from it.

export const ENTITY_TYPES = [
  'Person', 'Group', 'Organization', 'Phone', 'Device', 'BankCard', 'BankAccount', 'Account', 'Email',
  'Address', 'Place', 'Event', 'Document', 'Asset', 'Vehicle',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const LINK_TYPES = [
  'MEMBER_OF', 'LEADS', 'USES_PHONE', 'USES_ACCOUNT', 'OWNS', 'HELD_AT', 'LOCATED_IN', 'TRAVELLED_VIA',
  'CALLED', 'MESSAGED', 'HAS_CONTACT', 'SEIZED_AT', 'PARTICIPATED_IN', 'TARGETED', 'MENTIONED_IN',
  'RELATED_TO',
] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export interface EntityTypeSpec {
  /** one line for people reading the legend and the API document */
  description: string;
  /** props whose normalised values identify the entity; when none is present the importer's key is used */
  identity: readonly string[];
  /** props that are searchable identifiers besides the label (numbers, handles, IMEIs…) */
  identifiers: readonly string[];
  style: { color: string; shape: string };
}

const PARTY: EntityType[] = ['Person', 'Group', 'Organization'];
const COMM_ENDPOINT: EntityType[] = ['Phone', 'Account', 'Email'];

export const ENTITY_SPECS: Record<EntityType, EntityTypeSpec> = {
  Person: { description: 'A named or described individual', identity: [], identifiers: ['aliases', 'nationality'], style: { color: '#2563eb', shape: 'ellipse' } },
  Group: { description: 'Unnamed people counted together (e.g. victims freed in a raid)', identity: [], identifiers: ['nationality'], style: { color: '#60a5fa', shape: 'octagon' } },
  Organization: { description: 'A crime group, company, agency or authority', identity: [], identifiers: ['aliases'], style: { color: '#dc2626', shape: 'hexagon' } },
  Phone: { description: 'A subscriber number (E.164 where it parses)', identity: ['number'], identifiers: ['number', 'original'], style: { color: '#16a34a', shape: 'round-rectangle' } },
  Device: { description: 'A handset or other device (IMEI where known)', identity: ['imei'], identifiers: ['imei', 'serial'], style: { color: '#0d9488', shape: 'rectangle' } },
  BankCard: { description: 'A payment card: masked digits and a keyed hash only', identity: ['cardHash'], identifiers: ['masked'], style: { color: '#ca8a04', shape: 'tag' } },
  BankAccount: { description: 'A bank account (IBAN or local number)', identity: ['iban', 'accountNumber'], identifiers: ['iban', 'accountNumber'], style: { color: '#a16207', shape: 'tag' } },
  Account: { description: 'An online or messaging account (e.g. a WhatsApp id)', identity: ['handle'], identifiers: ['handle'], style: { color: '#7c3aed', shape: 'round-tag' } },
  Email: { description: 'An e-mail address', identity: ['address'], identifiers: ['address'], style: { color: '#9333ea', shape: 'round-tag' } },
  Address: { description: 'A building or premises', identity: [], identifiers: ['street'], style: { color: '#ea580c', shape: 'diamond' } },
  Place: { description: 'A city, district or country', identity: [], identifiers: ['country'], style: { color: '#f97316', shape: 'triangle' } },
  Event: { description: 'Something that happened at a time: a raid, an arrest, a journey', identity: [], identifiers: [], style: { color: '#db2777', shape: 'star' } },
  Document: { description: 'A report, article or file that asserts facts', identity: ['sha256'], identifiers: ['url', 'sha256'], style: { color: '#64748b', shape: 'round-rectangle' } },
  Asset: { description: 'Cash, goods or other seized property', identity: [], identifiers: [], style: { color: '#854d0e', shape: 'barrel' } },
  Vehicle: { description: 'A vehicle', identity: ['registration'], identifiers: ['registration', 'vin'], style: { color: '#475569', shape: 'cut-rectangle' } },
};

export interface LinkTypeSpec {
  description: string;
  from: readonly EntityType[];
  to: readonly EntityType[];
  /** communication links aggregate raw events (count, duration, first/last time) */
  communication?: boolean;
  style: { color: string; lineStyle: 'solid' | 'dashed' | 'dotted' };
}

const ANY: readonly EntityType[] = ENTITY_TYPES;
const LOCATABLE: EntityType[] = ['Person', 'Group', 'Organization', 'Address', 'Place', 'Event', 'Asset', 'Device', 'Vehicle'];

export const LINK_SPECS: Record<LinkType, LinkTypeSpec> = {
  MEMBER_OF: { description: 'belongs to a group or organisation', from: ['Person', 'Group', 'Organization'], to: ['Group', 'Organization'], style: { color: '#dc2626', lineStyle: 'solid' } },
  LEADS: { description: 'leads or directs', from: ['Person', 'Organization'], to: ['Group', 'Organization', 'Event'], style: { color: '#b91c1c', lineStyle: 'solid' } },
  USES_PHONE: { description: 'uses or is the subscriber of a number', from: [...PARTY, 'Device'], to: ['Phone'], style: { color: '#16a34a', lineStyle: 'solid' } },
  USES_ACCOUNT: { description: 'uses an online account, or the account runs on a number', from: [...PARTY, 'Phone', 'Device'], to: ['Account', 'Email'], style: { color: '#7c3aed', lineStyle: 'solid' } },
  OWNS: { description: 'owns, holds or controls', from: PARTY, to: ['Device', 'BankCard', 'BankAccount', 'Account', 'Email', 'Asset', 'Vehicle', 'Address', 'Phone'], style: { color: '#a16207', lineStyle: 'solid' } },
  HELD_AT: { description: 'was held (confined) at', from: ['Person', 'Group'], to: ['Address', 'Place'], style: { color: '#be123c', lineStyle: 'solid' } },
  LOCATED_IN: { description: 'is located in', from: LOCATABLE, to: ['Address', 'Place'], style: { color: '#94a3b8', lineStyle: 'dotted' } },
  TRAVELLED_VIA: { description: 'travelled through (a leg of a journey, in order)', from: ['Person', 'Group', 'Place'], to: ['Place'], style: { color: '#f97316', lineStyle: 'dashed' } },
  CALLED: { description: 'called (aggregated over call events)', from: COMM_ENDPOINT, to: COMM_ENDPOINT, communication: true, style: { color: '#059669', lineStyle: 'solid' } },
  MESSAGED: { description: 'messaged (aggregated over message events)', from: COMM_ENDPOINT, to: COMM_ENDPOINT, communication: true, style: { color: '#0284c7', lineStyle: 'solid' } },
  HAS_CONTACT: { description: 'has this number or account saved as a contact', from: ['Device', 'Phone', 'Account', ...PARTY], to: COMM_ENDPOINT, style: { color: '#84cc16', lineStyle: 'dotted' } },
  SEIZED_AT: { description: 'was seized at or during', from: ['Device', 'Phone', 'BankCard', 'BankAccount', 'Asset', 'Vehicle', 'Document'], to: ['Address', 'Place', 'Event'], style: { color: '#854d0e', lineStyle: 'dashed' } },
  PARTICIPATED_IN: { description: 'took part in (as actor, victim, authority…)', from: [...PARTY, 'Device', 'Phone', 'Vehicle'], to: ['Event'], style: { color: '#db2777', lineStyle: 'solid' } },
  TARGETED: { description: 'targeted (victims of fraud, places attacked)', from: [...PARTY, 'Event'], to: [...PARTY, 'Place', 'Phone'], style: { color: '#e11d48', lineStyle: 'dashed' } },
  MENTIONED_IN: { description: 'is mentioned in a document', from: ANY, to: ['Document'], style: { color: '#cbd5e1', lineStyle: 'dotted' } },
  RELATED_TO: { description: 'related in a way the source states in its props', from: ANY, to: ANY, style: { color: '#94a3b8', lineStyle: 'dotted' } },
};

/** Roles a person or group can hold in a case; exports redact `victim`. */
export const ROLES = ['suspect', 'victim', 'witness', 'officer', 'authority', 'other'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Checks the ontology at start-up: every link endpoint names a known entity type and every type has a
 * spec. Returns the problems found (empty when sound) so callers can fail fast with all of them.
 */
export function checkOntology(
  entitySpecs: Record<string, EntityTypeSpec> = ENTITY_SPECS,
  linkSpecs: Record<string, LinkTypeSpec> = LINK_SPECS,
): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(entitySpecs));
  for (const t of ENTITY_TYPES) if (!entitySpecs[t]) problems.push(`entity type ${t} has no spec`);
  for (const [name, spec] of Object.entries(linkSpecs)) {
    if (!/^[A-Z][A-Z_]*$/.test(name)) problems.push(`link type ${name} is not UPPER_SNAKE_CASE`);
    if (spec.from.length === 0 || spec.to.length === 0) problems.push(`link type ${name} has no endpoints`);
    for (const t of [...spec.from, ...spec.to]) {
      if (!known.has(t)) problems.push(`link type ${name} names unknown entity type ${t}`);
    }
  }
  for (const name of Object.keys(entitySpecs)) {
    if (!/^[A-Z][A-Za-z]*$/.test(name)) problems.push(`entity type ${name} is not PascalCase`);
  }
  return problems;
}

export function isEntityType(t: string): t is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(t);
}
export function isLinkType(t: string): t is LinkType {
  return (LINK_TYPES as readonly string[]).includes(t);
}

/** Whether a link of `type` may join an entity of type `from` to one of type `to`. */
export function linkAllowed(type: LinkType, from: EntityType, to: EntityType): boolean {
  const spec = LINK_SPECS[type];
  return spec.from.includes(from) && spec.to.includes(to);
}
