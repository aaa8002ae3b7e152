// Android and iOS databases carry no IMEI. Without a word from the investigator each file is its own
// Device; with the handset's IMEI (and own number) given at import, a phone's call log, contacts and
// messages land on one Device, and numbers in two of its files are not "seen on two devices".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { writeSyntheticAndroid } from '../../seed/generators/android.ts';

const IMEI = '356938035643809';

describe('the seized handset named at import (device hint)', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  let imports: ImportService;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-device-'));
    store = new EmbeddedGraphStore({ file: join(dir, 'store.sqlite') });
    imports = new ImportService({ store, secret: 's'.repeat(32), region: 'MY', defaultCase: 'hint', maxUploadBytes: 2 ** 30 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const devices = async () => (await store.search({ q: 'Device', types: ['Device'], limit: 50 })).map((h) => h.id);
  const twoFiles = async (device?: { imei?: string; msisdn?: string }) => {
    const a = writeSyntheticAndroid(join(dir, 'android'), { seed: 2, calls: 20, contacts: 20, sms: 10 });
    await imports.importFile(a.files.calllog!, device ? { device } : {});
    await imports.importFile(a.files.contacts2, device ? { device } : {});
    await imports.importFile(a.files.mmssms, device ? { device } : {});
  };

  it('without it, each database is a device of its own, and a contact who also called is a cross-device hit', async () => {
    await twoFiles();
    expect(await devices()).toHaveLength(3);
    expect((await store.crossDeviceHits({ limit: 100 })).length).toBeGreaterThan(0);
  });

  it('with the IMEI, the three databases are one Device carrying it, and nothing is a hit on that one handset alone', async () => {
    await twoFiles({ imei: '35-693803-564380-9' });
    const ids = await devices();
    expect(ids).toHaveLength(1);
    const device = await store.getEntity(ids[0]);
    expect(device?.props.imei).toBe(IMEI);
    expect(device?.sources).toHaveLength(3);
    expect(await store.crossDeviceHits({ limit: 100 })).toEqual([]);
  });

  it('the own number given becomes the owner line of every file that names none', async () => {
    await twoFiles({ imei: IMEI, msisdn: '+60 12-345 6789' });
    const owner = await store.search({ q: '60123456789', types: ['Phone'], limit: 5 });
    expect(owner.map((h) => h.label)).toContain('+60123456789');
    const view = await store.neighbours([(await devices())[0]], { depth: 1, limit: 50, linkTypes: ['USES_PHONE'] });
    expect(view.entities.map((e) => e.label)).toContain('+60123456789');
  });

  it('refuses an IMEI that is not 14–16 digits, or a number that is not one, before anything is written', async () => {
    const a = writeSyntheticAndroid(join(dir, 'android'), { seed: 2, calls: 5, contacts: 5, sms: 5 });
    for (const device of [{ imei: '12345' }, { imei: '3569380356438091234' }, { msisdn: 'not a number' }]) {
      const err = await imports.importFile(a.files.calllog!, { device }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('bad_request');
    }
    expect((await store.counts()).entities).toBe(0);
  });
});
