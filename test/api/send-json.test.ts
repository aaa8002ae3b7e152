// sendJson writes large answers in slices: the bytes must be exactly those of JSON.stringify (res.json).
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendJson } from '../../backend/src/api/route.ts';

function appSending(value: unknown, status = 200) {
  const app = express();
  app.all('/x', (_req, res) => sendJson(res, status, value));
  return app;
}

const link = (i: number) => ({ id: `lnk_${i}`, type: 'CALLED', from: `tel_${i}`, to: `tel_${i + 1}`, count: i, firstAt: undefined, label: i % 7 === 0 ? 'Chén «Dàlóng» 紅龍 😀' : null });

describe('sendJson', () => {
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { n: [1, 2, 3] });
  const cases: [string, unknown][] = [
    ['a large view (arrays longer than a slice, multi-byte text)', { entities: Array.from({ length: 700 }, (_, i) => ({ id: `e${i}`, props: { name: 'Ñandú 紅' } })), links: Array.from({ length: 1000 }, (_, i) => link(i)), capped: true, cap: 500 }],
    ['a view nested in an answer, members JSON leaves out', { paths: [], message: 'x', skip: undefined, fn: () => 1, view: { entities: [], links: Array.from({ length: 513 }, (_, i) => link(i)) } }],
    ['arrays of exactly one slice and one more, holes and undefined items', { a: Array.from({ length: 256 }, (_, i) => i), b: Array.from({ length: 257 }, (_, i) => (i % 2 ? undefined : [i])), c: [] }],
    ['dates, toJSON, a null-prototype object, a top-level array', [new Date('2024-01-02T03:04:05Z'), { toJSON: () => 'custom' }, bare, ...Array.from({ length: 300 }, () => null)]],
    ['plain values', 'just a string'],
    ['null', null],
  ];
  it.each(cases)('sends exactly JSON.stringify: %s', async (_name, value) => {
    const r = await request(appSending(value)).get('/x').buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => done(null, text));
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toBe(JSON.stringify(value));
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('answers HEAD with the length and no body, and keeps the status', async () => {
    const value = { links: Array.from({ length: 600 }, (_, i) => link(i)) };
    const head = await request(appSending(value, 201)).head('/x');
    expect(head.status).toBe(201);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(value)));
    expect(head.text ?? '').toBe('');
  });
});
