// Shared by the exchange tests: a small but nasty case in a real embedded store (three sources, two
// cases, victims with phones and accounts, every prop type, hostile labels), and dump comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchBuilder, sha256Hex, type Batch } from '../../backend/src/model/index.ts';
import { ExportService, type ExportRecord, type ExportRequest } from '../../backend/src/services/export.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import type { GraphStore } from '../../backend/src/storage/port.ts';

export const VICTIM_NAME = 'Siti Rahmah binti Yusof';
export const VICTIM_ALIAS = 'Kak Siti';
export const VICTIM_NUMBER = '+60123456789';
export const VICTIM_HANDLE = 'siti.rahmah.wa';
export const VICTIM_IBAN = 'MY12BANK0000111122223333';
export const GROUP_LABEL = '43 Malaysian nationals (freed in the raid)';
export const HOSTILE_LABEL = `Boss <script>alert("x")</script> & 'Co' \u0001\u0007 bell`;
export const FORMULA_LABEL = '=HYPERLINK("http://evil.example","click")';

export interface Fixture {
  dir: string;
  store: EmbeddedGraphStore;
  ids: Record<string, string>;
  close(): Promise<void>;
}

function src(name: string, caseName: string, importedAt: string): BatchBuilder {
  return new BatchBuilder({ sha256: sha256Hex(`exchange-fixture:${name}`), kind: 'test', name, case: caseName, importedBy: 'analyst-a', importedAt, title: `${name} title` });
}

/** Three sources: a report and a device extraction in case op-lima, and a second case sharing a phone. */
export function fixtureBatches(): { batches: Batch[]; ids: Record<string, string> } {
  const a = src('lima-raid.report.yaml', 'op-lima', '2024-01-02T03:04:05.000Z');
  const boss = a.entity('Person', { key: 'boss', label: HOSTILE_LABEL, aliases: ['Boss Chen', 'Dàlóng'], props: { role: 'suspect', nationality: 'TW', age: 51, height: 1.72, arrested: true, note: `phoned ${VICTIM_NAME} daily`, type: 'collides', label: 'collides too', cg_x: 'ours?', prop_y: 1, tags: ['a', 'b'], missing: null }, locator: '¶1' });
  const victim = a.entity('Person', { key: 'victim-1', label: VICTIM_NAME, aliases: [VICTIM_ALIAS], props: { role: 'victim', nationality: 'MY', gender: 'female', note: 'escaped and alerted the police' }, locator: '¶10' });
  const group = a.entity('Group', { key: 'victims', label: GROUP_LABEL, props: { role: 'victim', count: 43, nationality: 'MY' }, locator: '¶3' });
  const formula = a.entity('Person', { key: 'formula', label: FORMULA_LABEL, props: { role: 'witness', note: '+1 555 0100', memo: '-2+3', at: '@SUM(A1)' }, locator: '¶11' });
  const org = a.entity('Organization', { key: 'org', label: 'Red Dragon', aliases: ['Dragón Rojo'], props: { role: 'suspect', kind: 'crime group', count: 'about 40' }, locator: '¶9' });
  const house = a.entity('Address', { key: 'house', label: 'House in La Molina, Lima', props: { country: 'PE', lat: -12.08, lon: -76.93 }, locator: '¶3' });
  const raid = a.entity('Event', { key: 'raid', label: 'Police raid', props: { date: '2023-10-01' }, locator: '¶3' });
  const brother = a.entity('Person', { key: 'brother', label: 'Chen Xiaolong', props: { role: 'suspect' }, locator: '¶12' });
  const vphone = a.phone(VICTIM_NUMBER, { region: 'MY', locator: '¶10' }).id;
  const bphone = a.phone('+51 987 654 321', { region: 'PE', locator: '¶1' }).id;
  const vacct = a.entity('Account', { label: `WhatsApp ${VICTIM_HANDLE}`, props: { handle: VICTIM_HANDLE, service: 'WhatsApp' }, locator: '¶10' });
  const vbank = a.entity('BankAccount', { label: `Account ${VICTIM_IBAN}`, props: { iban: VICTIM_IBAN }, locator: '¶10' });
  const bbank = a.entity('BankAccount', { label: 'Boss account', props: { iban: 'PE11BANK0000999988887777' }, locator: '¶1' });
  a.link('MEMBER_OF', boss, org, '¶1', { since: '2019' });
  a.link('LEADS', boss, org, '¶1');
  a.link('MEMBER_OF', brother, org, '¶12');
  a.link('RELATED_TO', brother, boss, '¶12', { relation: 'brother' });
  a.link('USES_PHONE', victim, vphone, '¶10');
  a.link('USES_PHONE', boss, bphone, '¶1');
  a.link('USES_ACCOUNT', vphone, vacct, '¶10');
  a.link('OWNS', victim, vbank, '¶10');
  a.link('OWNS', boss, bbank, '¶1');
  a.link('HELD_AT', group, house, '¶3');
  a.link('HELD_AT', victim, house, '¶10');
  a.link('PARTICIPATED_IN', group, raid, '¶3', { as: 'freed' });
  a.link('PARTICIPATED_IN', formula, raid, '¶11', { as: 'witness' });
  a.event('CALLED', bphone, vphone, { kind: 'call', at: new Date('2023-09-20T10:00:00Z'), durationS: 60, original: '20/09/2023 05:00', locator: 'calls/1' });
  a.event('CALLED', bphone, vphone, { kind: 'call', at: new Date('2023-09-21T11:30:00Z'), durationS: 125.5, locator: 'calls/2' });

  const b = src('synthetic-handset-01.xml', 'op-lima', '2024-01-03T00:00:00.000Z');
  const dev = b.entity('Device', { label: 'iPhone of the boss', props: { imei: '356938035643809' }, locator: '/project/device' });
  const bphone2 = b.phone('+51 987 654 321', { region: 'PE', locator: '/project/msisdn' }).id;
  const vphone2 = b.phone(VICTIM_NUMBER, { region: 'MY', label: 'Siti', locator: '/project/contacts/1' }).id;
  const other = b.phone('+51 1 555 0000', { region: 'PE', locator: '/project/calls/3' }).id;
  const tab = b.entity('Account', { label: 'tab\there & "q"', props: { handle: 'tab-user', bio: 'line1\nline2\r\nline3' }, locator: '/project/accounts/1' });
  b.link('USES_PHONE', dev, bphone2, '/project/msisdn');
  b.link('HAS_CONTACT', dev, vphone2, '/project/contacts/1');
  b.link('USES_ACCOUNT', dev, tab, '/project/accounts/1');
  b.event('CALLED', bphone2, vphone2, { kind: 'call', at: new Date('2023-09-20T10:00:00Z'), durationS: 60, locator: '/project/calls/1' });
  b.event('CALLED', bphone2, other, { kind: 'call', at: new Date('2023-09-22T08:00:00Z'), durationS: 0, deleted: true, locator: '/project/calls/3' });
  b.event('MESSAGED', other, bphone2, { kind: 'sms', at: new Date('2023-09-23T09:15:00Z'), props: { body: 'ok boss' }, locator: '/project/sms/1' });

  const c = src('other-case.report.yaml', 'op-cusco', '2024-02-01T00:00:00.000Z');
  const p3 = c.phone('+51 987 654 321', { region: 'PE', locator: 'p.2' }).id;
  const courier = c.entity('Person', { key: 'courier', label: 'Courier in Cusco', props: { role: 'suspect' }, locator: 'p.2' });
  c.link('USES_PHONE', courier, p3, 'p.2');
  return { batches: [a.build(), b.build(), c.build()], ids: { boss, victim, group, formula, org, house, raid, brother, vphone, bphone, vacct, vbank, bbank, dev, other, tab, courier } };
}

export async function openStore(dir: string, name = 'store.sqlite'): Promise<EmbeddedGraphStore> {
  return new EmbeddedGraphStore({ file: join(dir, name) });
}

export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-exchange-'));
  const store = await openStore(dir);
  const { batches, ids } = fixtureBatches();
  for (const b of batches) await store.apply(b);
  return {
    dir, store, ids,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Exports to a file and returns the path and the record. */
export async function exportToFile(store: GraphStore, dir: string, req: ExportRequest, name: string, opts: { salt?: string } = {}): Promise<{ path: string; record: ExportRecord }> {
  const svc = new ExportService({ store, generator: 'Casegraph test', redactionSalt: opts.salt });
  const path = join(dir, name);
  const record = await svc.exportTo(req, createWriteStream(path), 'tester');
  return { path, record };
}

/** A store's dump in a comparable form: sources by sha and case, records by id. */
export async function normalisedDump(store: GraphStore, caseName?: string) {
  const out: { source: unknown; entities: unknown[]; links: unknown[]; events: unknown[] }[] = [];
  for await (const b of store.dump(caseName)) {
    const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
    out.push({
      source: b.source,
      entities: byId(b.entities).map((e) => ({ ...e, locators: [...e.locators].sort() })),
      links: byId(b.links).map((l) => ({ ...l, locators: [...l.locators].sort() })),
      events: byId(b.events),
    });
  }
  return out.sort((x, y) => JSON.stringify(x.source) < JSON.stringify(y.source) ? -1 : 1);
}
