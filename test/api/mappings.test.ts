// CDR imports through the API: saved mappings by name, inference for the mapping step, refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from './harness.ts';

const FIX = join(import.meta.dirname, '../fixtures/cdr');
const LIMA = {
  delimiter: ';', encoding: 'utf-8', header: true, dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm:ss', durationFormat: 'seconds', decimalComma: true,
  timeZone: 'America/Lima', region: 'PE',
  columns: { aNumber: 'A_PARTY', bNumber: 'B_PARTY', date: 'FECHA', time: 'HORA', duration: 'DURACION', callType: 'TIPO', imei: 'IMEI', cellFirst: 'CELDA_INICIO', cellLast: 'CELDA_FIN' },
};

describe('CDR mappings over HTTP', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  beforeAll(async () => {
    h = await makeApp();
  });
  afterAll(() => h.close());
  const upload = (file: string, qs: string) =>
    request(h.app).post(`/api/imports?name=${file}${qs}`).set('Content-Type', 'application/octet-stream').send(readFileSync(join(FIX, file)));

  it('saves a mapping by name and imports with it', async () => {
    const saved = await request(h.app).put('/api/mappings/Operator%20PE').send(LIMA);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: 'Operator PE', timeZone: 'America/Lima' });
    expect((await request(h.app).get('/api/mappings')).body.mappings.map((m: { name: string }) => m.name)).toEqual(['Operator PE']);
    const r = await upload('synthetic-semicolon-lima.csv', '&mapping=Operator%20PE&case=cdr-case');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'applied', format: 'cdr', case: 'cdr-case' });
    expect(r.body.events.created).toBeGreaterThan(0);
    const [hit] = (await request(h.app).get('/api/search').query({ q: '987654321' })).body.hits;
    expect(hit.label).toBe('+51987654321');
  });

  it('infers a mapping from the head of a CSV for the mapping step', async () => {
    const r = await request(h.app).post('/api/imports/cdr/infer?name=x.csv').set('Content-Type', 'application/octet-stream').send(readFileSync(join(FIX, 'synthetic-semicolon-lima.csv')));
    expect(r.status).toBe(200);
    expect(r.body.mapping).toMatchObject({ delimiter: ';', columns: { aNumber: 'A_PARTY', bNumber: 'B_PARTY' } });
    expect(r.body.header).toContain('FECHA');
    const bad = await request(h.app).post('/api/imports/cdr/infer?name=x.csv').set('Content-Type', 'application/octet-stream').send(Buffer.from('hello world\n'));
    expect(bad.status).toBe(422);
  });

  it('refuses a bad mapping, an unknown name and a bad row, writing nothing', async () => {
    expect((await request(h.app).put('/api/mappings/broken').send({ ...LIMA, timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await request(h.app).put('/api/mappings/..%2Fescape').send(LIMA)).status).toBe(400);
    expect((await upload('synthetic-semicolon-lima.csv', '&mapping=nope')).status).toBe(404);
    const before = (await request(h.app).get('/api/health')).body.counts;
    const plain = { ...LIMA, decimalComma: false, columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', date: 'DATE', time: 'TIME', duration: 'DURATION' } };
    expect((await request(h.app).put('/api/mappings/plain').send(plain)).status).toBe(200);
    const bad = await upload('synthetic-bad-date-line4.csv', '&mapping=plain');
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/^synthetic-bad-date-line4\.csv line 4/);
    expect((await request(h.app).get('/api/health')).body.counts).toEqual(before);
    expect((await request(h.app).delete('/api/mappings/Operator%20PE')).status).toBe(200);
    expect((await request(h.app).get('/api/mappings/Operator%20PE')).status).toBe(404);
  });
});
