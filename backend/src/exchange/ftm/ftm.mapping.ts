// How Casegraph's ontology maps onto FollowTheMoney (alephdata/followthemoney schema YAML). Kept as data.
//  - People and organisations map to Person / Organization; a Group (people counted together) to
//    LegalEntity. Phone numbers and e-mail addresses are FtM *values*, not entities: they become `phone`
//    / `email` properties of the party that uses or owns them; a number nobody in the scope uses becomes
//    a LegalEntity carrying the number (as Aleph's own phone-extraction ingestors model call parties).
//  - Link types with an FtM interval schema map to it (MEMBER_OF → Membership, LEADS → Directorship,
//    OWNS of an asset → Ownership, a family RELATED_TO between two people → Family); every other link
//    type becomes UnknownLink with the Casegraph type as its `role`: FtM consumers lose our type there.
//  - Each call or message event becomes a Call (caller, callerNumber, receiver, receiverNumber, date,
//    duration) or a Message (sender/senderAccount, recipients/recipientAccount, date).
//  - Each source becomes a Document; entities point at theirs with `proof`, intervals name them in `publisher`.
// Every line also carries a top-level `casegraph` object (FtM tools keep unknown top-level fields as
// entity "context") with the exact Casegraph records it stands for, so Casegraph reads its own FtM back
// without loss; Aleph and other FtM consumers see only the FtM properties.
import type { EntityType, LinkType } from '../../model/index.ts';

export const FTM_ENTITY_SCHEMA: Record<EntityType, string> = {
  Person: 'Person', Group: 'LegalEntity', Organization: 'Organization', Phone: 'LegalEntity', Email: 'LegalEntity', Account: 'UserAccount',
  BankAccount: 'BankAccount', BankCard: 'BankAccount', Device: 'Asset', Asset: 'Asset', Vehicle: 'Vehicle', Address: 'Address', Place: 'Address',
  Event: 'Event', Document: 'Document',
};

/** FtM schemata that extend LegalEntity (valid for caller/receiver/sender/member/owner). */
export const FTM_LEGAL = new Set(['Person', 'Organization', 'LegalEntity', 'Company', 'PublicBody']);
/** FtM schemata that extend Asset (valid for Ownership.asset). */
export const FTM_ASSET = new Set(['Asset', 'BankAccount', 'Vehicle', 'RealEstate', 'Security', 'Airplane', 'Vessel']);
/** FtM schemata that extend Organization (valid for Membership.organization, Directorship.organization). */
export const FTM_ORG = new Set(['Organization', 'Company', 'PublicBody']);

/** Words in a RELATED_TO's `relation` that make it an FtM Family between two people. */
export const FAMILY_WORDS = /\b(mother|father|parent|son|daughter|child|brother|sister|sibling|wife|husband|spouse|partner|cousin|uncle|aunt|nephew|niece|grand(mother|father|son|daughter|parent|child)|family|relative)\b/i;

/** Human wording of our link types, for UnknownLink.role. */
export const LINK_ROLE: Record<LinkType, string> = {
  MEMBER_OF: 'member of', LEADS: 'leads', USES_PHONE: 'uses phone', USES_ACCOUNT: 'uses account', OWNS: 'owns', HELD_AT: 'held at',
  LOCATED_IN: 'located in', TRAVELLED_VIA: 'travelled via', CALLED: 'called', MESSAGED: 'messaged', HAS_CONTACT: 'has contact',
  SEIZED_AT: 'seized at', PARTICIPATED_IN: 'participated in', TARGETED: 'targeted', MENTIONED_IN: 'mentioned in', RELATED_TO: 'related to',
};

/** Our props copied to FtM properties of the same meaning, per FtM schema. */
export const PROP_MAP: Record<string, Record<string, string>> = {
  Person: { nationality: 'nationality', gender: 'gender', birthDate: 'birthDate', dob: 'birthDate', firstName: 'firstName', lastName: 'lastName', country: 'country', note: 'notes', status: 'status' },
  Organization: { country: 'country', kind: 'classification', note: 'notes', status: 'status' },
  LegalEntity: { country: 'country', nationality: 'country', note: 'notes', status: 'status' },
  Address: { country: 'country', street: 'street', city: 'city', postalCode: 'postalCode', lat: 'latitude', lon: 'longitude', note: 'remarks' },
  BankAccount: { iban: 'iban', accountNumber: 'accountNumber', masked: 'accountNumber', bank: 'bankName', bankName: 'bankName', bic: 'bic' },
  UserAccount: { handle: 'username', service: 'service', app: 'service' },
  Vehicle: { registration: 'registrationNumber', vin: 'registrationNumber', model: 'model', type: 'type', country: 'country' },
  Asset: { note: 'notes', country: 'country' },
  Event: { date: 'date', country: 'country', note: 'summary' },
  Document: { url: 'sourceUrl', published: 'publishedAt', author: 'author', language: 'language', publisher: 'publisher' },
};
