// iOS databases (CallHistory.storedata, sms.db, AddressBook.sqlitedb) through the SQLite importer into
// the real embedded store. Fixtures are generated at test time by seed/generators/ios.ts (SYNTHETIC DATA).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqliteImporter } from '../../backend/src/importers/shared/device-db.importer.ts';
import type { EventRecord } from '../../backend/src/model/index.ts';
import { IOS_STORY, IOS_STORY_APPLE_S, writeSyntheticIos, type SyntheticIos } from '../../seed/generators/ios.ts';
import { ctx, dumpCase, editDb, emailId, importInto, inputFor, phoneId, workspace, type Workspace } from './harness.ts';

const S = IOS_STORY;
let gen: Workspace;
let ios: SyntheticIos;

beforeAll(() => {
  gen = workspace('ios-fixtures');
  ios = writeSyntheticIos(join(gen.dir, 'extraction'), { seed: 886, calls: 20, messages: 10 });
});
afterAll(async () => {
  await gen.cleanup();
});

async function load(w: Workspace, path: string) {
  await importInto(w.store, sqliteImporter, path);
  const [batch] = await dumpCase(w.store);
  const events = new Map<string, EventRecord[]>();
  for (const e of batch.events) events.set(e.locator, [...(events.get(e.locator) ?? []), e]);
  const device = batch.entities.find((e) => e.type === 'Device')!.id;
  const owner = batch.links.find((l) => l.type === 'USES_PHONE' && l.from === device)!.to;
  return { batch, events, device, owner };
}

describe('iOS SQLite importer', () => {
  let w: Workspace;
  beforeEach(() => {
    w = workspace('ios');
  });
  afterEach(async () => {
    await w.cleanup();
  });

  it.each([
    { file: 'CallHistory.storedata', kind: 'ios-callhistory', events: 7 + 20, path: () => ios.files.callHistory },
    { file: 'sms.db', kind: 'ios-sms', events: 9 + 10, path: () => ios.files.sms },
    { file: 'AddressBook.sqlitedb', kind: 'ios-addressbook', events: 0, path: () => ios.files.addressBook },
  ])('parses $file as $kind', async ({ kind, events, path }) => {
    const { result, source } = await importInto(w.store, sqliteImporter, path());
    expect(source.kind).toBe(kind);
    expect(result).toMatchObject({ status: 'applied', warnings: [] });
    expect(result.events.created).toBe(events);
  });

  describe('CallHistory.storedata', () => {
    let r: Awaited<ReturnType<typeof load>>;
    beforeEach(async () => {
      r = await load(w, ios.files.callHistory);
    });

    it('reads ZDATE as seconds since 2001 and ZDURATION as float seconds', () => {
      const [e] = r.events.get('ZCALLRECORD/Z_PK=1')!;
      expect(e.at).toBe('2023-09-24T13:00:00.000Z');
      expect(e.original).toBe(String(IOS_STORY_APPLE_S));
      expect(e.durationS).toBe(125.5);
      expect(e).toMatchObject({ from: r.owner, to: phoneId(S.target), props: { direction: 'outgoing', status: 'answered' } });
    });

    it('decodes ZADDRESS stored as a BLOB and reads it in the row region (lowercase ZISO_COUNTRY_CODE)', () => {
      const [e] = r.events.get('ZCALLRECORD/Z_PK=2')!;
      expect(e.to).toBe(phoneId(S.target)); // '03-2161 1111' as a BLOB, ZISO_COUNTRY_CODE 'my'
      expect(e.at).toBe('2023-09-24T13:10:00.000Z');
    });

    it.each([
      { pk: 3, props: { direction: 'incoming', status: 'missed' }, remote: () => phoneId(S.handlerA) },
      { pk: 4, props: { direction: 'incoming', status: 'answered', app: 'FaceTime', video: true }, remote: () => emailId(S.handlerBEmail) },
      { pk: 5, props: { direction: 'outgoing', status: 'answered', app: 'FaceTime' }, remote: () => phoneId(S.handlerB) },
      { pk: 6, props: { direction: 'incoming', status: 'answered', app: 'WhatsApp' }, remote: () => phoneId(S.targetMobile) },
    ])('maps ZCALLRECORD/Z_PK=$pk', ({ pk, props, remote }) => {
      const [e] = r.events.get(`ZCALLRECORD/Z_PK=${pk}`)!;
      expect(e.props).toMatchObject(props);
      expect(props.direction === 'outgoing' ? [e.from, e.to] : [e.to, e.from]).toEqual([r.owner, remote()]);
      if (!('video' in props)) expect(e.props.video).toBeUndefined();
    });

    it('keeps an empty ZADDRESS as a withheld caller of its own', async () => {
      const [e] = r.events.get('ZCALLRECORD/Z_PK=7')!;
      expect((await w.store.getEntity(e.from))!.props.numberKind).toBe('withheld');
    });
  });

  describe('sms.db', () => {
    let r: Awaited<ReturnType<typeof load>>;
    beforeEach(async () => {
      r = await load(w, ios.files.sms);
    });

    it('reads nanosecond dates (iOS 11+) and second dates (older) on the same clock', () => {
      const ns = r.events.get('message/ROWID=1')![0];
      expect(ns.at).toBe('2023-09-24T13:01:00.000Z');
      expect(ns.original).toBe(String(BigInt(IOS_STORY_APPLE_S + 60) * 1_000_000_000n));
      const s = r.events.get('message/ROWID=4')![0];
      expect(s.at).toBe('2023-09-24T13:04:00.000Z');
      expect(s.original).toBe(String(IOS_STORY_APPLE_S + 240));
    });

    it('finds the recipient of an outgoing message with handle_id 0 through its chat', () => {
      const [e] = r.events.get('message/ROWID=2')!;
      expect(e).toMatchObject({ kind: 'sms', from: r.owner, to: phoneId(S.target), props: { direction: 'outgoing', status: 'sent' } });
    });

    it('sends a group message (handle_id 0) to every handle of the chat, e-mail handles as Email', () => {
      const sent = r.events.get('message/ROWID=3')!;
      expect(sent.map((e) => e.to).sort()).toEqual([phoneId(S.handlerA), emailId(S.handlerBEmail), phoneId(S.handlerB)].sort());
      expect(sent[0]).toMatchObject({ kind: 'chat', from: r.owner, props: { app: 'iMessage', group: true, chat: 'Equipo (synthetic)' } });
    });

    it('takes an iMessage from an e-mail handle as MESSAGED from an Email', async () => {
      const [e] = r.events.get('message/ROWID=4')!;
      expect(e).toMatchObject({ from: emailId(S.handlerBEmail), to: r.owner });
      expect(await w.store.getEntity(e.from)).toMatchObject({ type: 'Email', props: { address: S.handlerBEmail } });
    });

    it('reads a national-format handle in its handle.country', () => {
      expect(r.events.get('message/ROWID=7')![0]).toMatchObject({ from: phoneId(S.targetMobile), to: r.owner });
    });

    it('recovers text kept only in attributedBody', () => {
      expect(r.events.get('message/ROWID=6')![0].props).toMatchObject({ body: 'Only in attributedBody (synthetic)', bodySource: 'attributedBody' });
    });
  });

  it('AddressBook.sqlitedb: HAS_CONTACT with the person name and the cleaned label', async () => {
    const r = await load(w, ios.files.addressBook);
    const link = (to: string) => r.batch.links.find((l) => l.type === 'HAS_CONTACT' && l.from === r.device && l.to === to)?.props;
    expect(link(phoneId(S.handlerA))).toEqual({ name: 'Handler A (synthetic)', label: 'Mobile' });
    expect(link(phoneId(S.handlerB))).toEqual({ name: 'Handler B (synthetic)', label: 'iPhone' });
    expect(link(emailId(S.handlerBEmail))).toEqual({ name: 'Handler B (synthetic)', label: 'Home' });
    expect(link(phoneId(S.target))).toEqual({ name: 'Oficina KL (synthetic)', label: 'Work' });
    expect(link(emailId('synthetic-data@example.invalid'))).toEqual({ name: 'SYNTHETIC DATA', label: 'Work' });
  });

  it('rejects a message whose date is text, naming the row; nothing is written', async () => {
    const dir = join(w.dir, 'bad');
    const bad = writeSyntheticIos(dir, { seed: 1 }).files.sms;
    editDb(bad, (db) => db.prepare(`UPDATE message SET date = '2023-09-24 13:05' WHERE ROWID = 5`).run());
    const input = await inputFor(bad);
    const parsed = await sqliteImporter.parse(input, ctx);
    const err = await w.store.applyStream(parsed.source, parsed.chunks).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message).toContain('sms.db table message row ROWID=5: date "2023-09-24 13:05" is not a number');
    expect((await w.store.counts()).entities).toBe(0);
  });
});
