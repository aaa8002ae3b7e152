// FollowTheMoney export: valid entity lines ({id, schema, properties: {name: [strings]}}), only
// properties the published schemata define (lists below transcribed from alephdata/followthemoney
// followthemoney/schema/*.yaml, inherited properties included), deterministic ids, the mapping the
// brief asks for (phones as `phone` of their user, Call/Message intervals, Membership, Ownership,
// Family, UnknownLink), and third-party FtM (Aleph-style) read back onto the ontology.
//
// What FtM consumers lose (Casegraph itself restores everything from each line's `casegraph` context):
// link types without an FtM schema become UnknownLink with our type as `role`; Phone/Email entities
// become values of their user (a number used by several parties stays a LegalEntity); Group → LegalEntity;
// Device/Asset → Asset, Place → Address, BankCard → BankAccount; search terms and locators.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { exportToFile, makeFixture, normalisedDump, openStore, VICTIM_NUMBER, type Fixture } from './helpers.ts';

const THING = ['name', 'summary', 'description', 'country', 'alias', 'previousName', 'weakAlias', 'sourceUrl', 'publisher', 'publisherUrl', 'alephUrl', 'wikipediaUrl', 'wikidataId', 'keywords', 'topics', 'address', 'addressEntity', 'program', 'programId', 'notes', 'proof', 'indexText', 'createdAt', 'modifiedAt', 'retrievedAt'];
const LEGAL = [...THING, 'email', 'phone', 'website', 'legalForm', 'incorporationDate', 'dissolutionDate', 'taxStatus', 'status', 'sector', 'classification', 'registrationNumber', 'idNumber', 'taxNumber', 'vatCode', 'jurisdiction', 'mainCountry', 'opencorporatesUrl', 'bvdId', 'icijId', 'okpoCode', 'innCode', 'dunsCode', 'swiftBic', 'parent', 'subsidiaries', 'passport'];
const INTERVAL = ['startDate', 'endDate', 'date', 'summary', 'description', 'recordId', 'sourceUrl', 'publisher', 'publisherUrl', 'alephUrl', 'namesMentioned', 'indexText', 'modifiedAt', 'retrievedAt'];
const INTEREST = [...INTERVAL, 'role', 'status'];
const ASSET = [...THING, 'amount', 'currency', 'amountUsd'];
const SCHEMA_PROPS: Record<string, string[]> = {
  Person: [...LEGAL, 'title', 'firstName', 'secondName', 'middleName', 'fatherName', 'motherName', 'lastName', 'birthDate', 'birthPlace', 'deathDate', 'position', 'nationality', 'gender', 'passportNumber'],
  Organization: LEGAL,
  LegalEntity: LEGAL,
  Address: [...THING, 'full', 'remarks', 'postOfficeBox', 'street', 'street2', 'city', 'postalCode', 'region', 'state', 'latitude', 'longitude', 'osmId', 'googlePlaceId'],
  BankAccount: [...ASSET, 'bankName', 'accountNumber', 'iban', 'bic', 'accountType', 'balance', 'bankAddress'],
  UserAccount: [...THING, 'owner', 'service', 'email', 'number', 'username', 'password', 'ipAddress'],
  Asset: ASSET,
  Vehicle: [...ASSET, 'registrationNumber', 'type', 'model', 'owner', 'operator', 'buildDate', 'registrationDate'],
  // Event: the older YAML adds location/country to Interval; newer FtM versions add name/involved/organizer
  Event: [...INTERVAL, 'location', 'country', 'name', 'involved', 'organizer', 'important'],
  Document: [...THING, 'title', 'author', 'fileName', 'date', 'publishedAt', 'language', 'mimeType', 'contentHash'],
  Membership: [...INTEREST, 'member', 'organization'],
  Directorship: [...INTEREST, 'director', 'organization', 'secretary'],
  Ownership: [...INTEREST, 'owner', 'asset', 'percentage', 'sharesCount', 'sharesValue', 'sharesCurrency', 'sharesType', 'legalBasis', 'ownershipType'],
  UnknownLink: [...INTEREST, 'subject', 'object'],
  Family: [...INTERVAL, 'person', 'relative', 'relationship'],
  Call: [...INTERVAL, 'caller', 'callerNumber', 'receiver', 'receiverNumber', 'duration'],
  Message: [...INTERVAL, 'subject', 'threadTopic', 'sender', 'senderAccount', 'recipients', 'recipientAccount', 'inReplyTo', 'inReplyToMessage', 'metadata', 'bodyText', 'title', 'fileName'],
};

interface Line { id: string; schema: string; properties: Record<string, string[]>; casegraph?: unknown }

describe('FtM export', () => {
  let fx: Fixture;
  let lines: Line[];
  let path: string;
  let sha: string;
  beforeAll(async () => {
    fx = await makeFixture();
    const r = await exportToFile(fx.store, fx.dir, { format: 'ftm', redactVictims: false }, 'x.ftm.jsonl');
    path = r.path;
    sha = r.record.sha256;
    lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  });
  afterAll(() => fx.close());
  const byId = (id: string) => lines.find((l) => l.id === id)!;

  it('writes valid entities with published schema properties only, values as lists of strings', () => {
    for (const l of lines) {
      expect(Object.keys(SCHEMA_PROPS), l.schema).toContain(l.schema);
      expect(typeof l.id).toBe('string');
      for (const [k, v] of Object.entries(l.properties)) {
        expect(SCHEMA_PROPS[l.schema], `${l.schema}.${k}`).toContain(k);
        expect(Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0), `${l.schema}.${k}`).toBe(true);
      }
    }
  });

  it('has deterministic ids: the same export twice is the same bytes', async () => {
    const again = await exportToFile(fx.store, fx.dir, { format: 'ftm', redactVictims: false }, 'y.ftm.jsonl');
    expect(again.record.sha256).toBe(sha);
    expect(byId(fx.ids.boss)).toBeDefined();
  });

  it('maps parties, phones, calls, messages and relationships onto FtM schemata', () => {
    expect(byId(fx.ids.boss)).toMatchObject({ schema: 'Person', properties: { alias: ['Boss Chen', 'Dàlóng'], nationality: ['tw'], phone: ['+51987654321'] } });
    // the victim's number is used by her alone: folded into her Person as `phone`, no entity of its own
    expect(byId(fx.ids.victim).properties.phone).toEqual([VICTIM_NUMBER]);
    expect(lines.some((l) => l.id === fx.ids.vphone)).toBe(false);
    // the boss's number is also used by a courier in another case: it stays a LegalEntity, both parties list it
    expect(byId(fx.ids.bphone)).toMatchObject({ schema: 'LegalEntity', properties: { phone: ['+51987654321'] } });
    expect(byId(fx.ids.courier).properties.phone).toEqual(['+51987654321']);
    expect(byId(fx.ids.org).schema).toBe('Organization');
    expect(byId(fx.ids.group).schema).toBe('LegalEntity');
    expect(byId(fx.ids.vacct)).toMatchObject({ schema: 'UserAccount', properties: { username: ['siti.rahmah.wa'], number: [VICTIM_NUMBER] } });
    const schemas = (s: string) => lines.filter((l) => l.schema === s);
    expect(schemas('Membership').map((l) => [l.properties.member[0], l.properties.organization[0]]).sort()).toEqual([[fx.ids.boss, fx.ids.org], [fx.ids.brother, fx.ids.org]].sort());
    expect(schemas('Directorship')[0].properties).toMatchObject({ director: [fx.ids.boss], organization: [fx.ids.org] });
    expect(schemas('Ownership').map((l) => l.properties.owner[0]).sort()).toEqual([fx.ids.boss, fx.ids.victim].sort());
    expect(schemas('Family')[0].properties).toMatchObject({ person: [fx.ids.brother], relative: [fx.ids.boss], relationship: ['brother'] });
    const calls = schemas('Call');
    expect(calls).toHaveLength(3);
    const toVictim = calls.filter((c) => c.properties.receiver?.[0] === fx.ids.victim).sort((a, b) => (a.properties.date[0] < b.properties.date[0] ? -1 : 1));
    expect(toVictim[0].properties).toMatchObject({ caller: [fx.ids.bphone], callerNumber: ['+51987654321'], receiverNumber: [VICTIM_NUMBER], date: ['2023-09-20T10:00:00.000Z'], duration: ['60'] });
    expect(schemas('Message')[0].properties).toMatchObject({ sender: [fx.ids.other], recipients: [fx.ids.bphone], bodyText: ['ok boss'] });
    // link types FtM has no schema for
    const held = schemas('UnknownLink').filter((l) => l.properties.role?.[0] === 'held at');
    expect(held).toHaveLength(2);
    // provenance FtM-style: sources are Documents, entities point at them with `proof`
    const docs = schemas('Document').filter((d) => d.properties.keywords?.includes('casegraph-source'));
    expect(docs.map((d) => d.properties.fileName[0])).toEqual(['lima-raid.report.yaml', 'synthetic-handset-01.xml', 'other-case.report.yaml']);
    expect(docs[0].properties.summary[0]).toMatch(/file sha256 [0-9a-f]{64}/);
    expect(byId(fx.ids.boss).properties.proof).toEqual([docs[0].id]);
  });

  it('reads third-party (Aleph-style) FtM onto the ontology as one source', async () => {
    const aleph = [
      { id: 'p1', schema: 'Person', properties: { name: ['Juan Quispe'], phone: ['+51 999 111 222'], nationality: ['pe'] } },
      { id: 'p2', schema: 'LegalEntity', properties: { name: ['Unknown caller'], phone: ['+51 999 333 444'] } },
      { id: 'c1', schema: 'Company', properties: { name: ['Fachada SAC'], country: ['pe'] } },
      { id: 'm1', schema: 'Membership', properties: { member: ['p1'], organization: ['c1'], role: ['director'] } },
      { id: 'k1', schema: 'Call', properties: { caller: ['p1'], callerNumber: ['+51 999 111 222'], receiverNumber: ['+51 999 333 444'], date: ['2024-03-01T10:00:00Z'], duration: ['42'] } },
      { id: 'x1', schema: 'Sanction', properties: { entity: ['c1'] } },
    ];
    const file = join(fx.dir, 'aleph.ftm.jsonl');
    writeFileSync(file, aleph.map((l) => JSON.stringify(l)).join('\n'));
    const b = await openStore(fx.dir, 'aleph.sqlite');
    try {
      const r = await new ExportService({ store: b, defaultCase: 'aleph-import' }).openPath(file, 'aleph.ftm.jsonl', { by: 't' });
      expect(r.provenance).toBe('file');
      expect(r.result.sources).toHaveLength(1);
      expect(r.result.warnings.join('\n')).toMatch(/1 FtM Sanction line\(s\) skipped/);
      const [batch] = await normalisedDump(b);
      const types = batch.entities.map((e) => (e as { type: string }).type).sort();
      expect(types).toEqual(['Organization', 'Person', 'Person', 'Phone', 'Phone']);
      const links = batch.links.map((l) => (l as { type: string }).type).sort();
      expect(links).toEqual(['CALLED', 'MEMBER_OF', 'USES_PHONE', 'USES_PHONE']);
      expect(batch.events).toHaveLength(1);
      expect(batch.events[0]).toMatchObject({ kind: 'call', durationS: 42, at: '2024-03-01T10:00:00.000Z' });
    } finally {
      await b.close();
    }
  });
});
