// Selectors, sentences, documents and links of the report-text extractor, table by table.
import { describe, expect, it } from 'vitest';
import { normaliseCard } from '../../backend/src/model/index.ts';
import { decodeText, detectKind, toPlainText } from '../../backend/src/text/document.ts';
import { extractCandidates, MAX_CANDIDATES, MAX_SPANS, type ExtractOptions } from '../../backend/src/text/extract.ts';
import { splitSentences } from '../../backend/src/text/sentences.ts';

const SECRET = 'u'.repeat(32);
const run = (text: string, o: Partial<ExtractOptions> = {}) => extractCandidates(text, { region: 'PE', secret: SECRET, caseName: 'unit', today: '2024-01-15', ...o });
const values = (text: string, kind: string, o: Partial<ExtractOptions> = {}) => run(text, o).candidates.filter((c) => c.kind === kind).map((c) => c.value);

describe('phones', () => {
  it('reads three spellings of a Malaysian number (region MY) as one E.164 number with three mentions', () => {
    const r = run('Call +60 12-345 6789, or 012-345 6789, or 0060123456789 after dark.', { region: 'MY' });
    const phones = r.candidates.filter((c) => c.kind === 'phone');
    expect(phones).toHaveLength(1);
    expect(phones[0]).toMatchObject({ value: '+60123456789', label: '+60123456789', type: 'Phone', props: { number: '+60123456789', country: 'MY', numberKind: 'e164' } });
    expect(phones[0].spans.map((s) => r.text.slice(s.start, s.end))).toEqual(['+60 12-345 6789', '012-345 6789', '0060123456789']);
  });

  it.each([
    { text: 'Victims were told to call 15999 for help.', region: 'MY', want: ['short:MY:15999'] },
    { text: 'The SMS came from short code 2020.', region: 'PE', want: ['short:PE:2020'] },
    { text: 'Police freed 999 victims in 2023.', region: 'MY', want: [] },
    { text: 'They called 105 times that night.', region: 'PE', want: [] },
    { text: 'The hotline number is 987 654 321.', region: 'PE', want: ['+51987654321'] },
    { text: 'The date 2023-10-07 is not a phone.', region: 'PE', want: [] },
  ])('$text → $want', ({ text, region, want }) => {
    expect(values(text, 'phone', { region })).toEqual(want);
  });
});

describe('identifiers', () => {
  it('takes an IBAN whose checksum holds and warns about one that fails', () => {
    const r = run('Paid into GB82 WEST 1234 5698 7654 32 and NL91 ABNA 0417 1643 01 on Monday.');
    expect(r.candidates.filter((c) => c.kind === 'iban').map((c) => [c.value, c.label])).toEqual([['GB82WEST12345698765432', 'GB82 WEST 1234 5698 7654 32']]);
    expect(r.warnings.join(' ')).toMatch(/NL91 ABNA 0417 1643 01.*checksum/);
  });

  it('masks a Luhn-valid card everywhere (text, candidate, JSON) and hashes it like the report importer', () => {
    const r = run('He used card 4111 1111 1111 1111 twice; card 4111 1111 1111 1112 fails Luhn; IMEI 356938035643809 is a handset.');
    const cards = r.candidates.filter((c) => c.kind === 'card');
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ value: '411111••••••1111', text: '4111 11•• •••• 1111', props: { cardHash: normaliseCard('4111111111111111', SECRET).cardHash, last4: '1111' } });
    const json = JSON.stringify(r, (_k, v) => (v instanceof Map ? [...v] : v));
    expect(json).not.toContain('4111111111111111');
    expect(json).not.toContain('4111 1111 1111 1111');
    expect(r.text.length).toBe('He used card 4111 1111 1111 1111 twice; card 4111 1111 1111 1112 fails Luhn; IMEI 356938035643809 is a handset.'.length);
  });

  it('keeps a card written masked as its visible digits', () => {
    expect(values('A receipt shows 4539 12XX XXXX 7788 and 5555-55**-****-4444.', 'card')).toEqual(['453912••••••7788', '555555••••••4444']);
  });

  it.each([
    { text: 'BTC to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 please', want: ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'] },
    { text: 'BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq please', want: ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'] },
    { text: 'a typo 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 fails the checksum', want: [] },
    { text: 'ETH to 0x52908400098527886E0F7030069857D2E4169EE7.', want: ['0x52908400098527886e0f7030069857d2e4169ee7'] },
  ])('wallet: $text', ({ text, want }) => {
    expect(values(text, 'wallet')).toEqual(want);
  });

  it('reads e-mail addresses in lower case', () => {
    expect(values('Write to Ops.Team@Mailbox.Example.com today.', 'email')).toEqual(['ops.team@mailbox.example.com']);
  });
});

describe('money', () => {
  it.each([
    ['seized more than $10,000 in cash', '10000 USD'],
    ['seized more than US$10,000 in cash', '10000 USD'],
    ['worth £8,200 at the time', '8200 GBP'],
    ['she paid RM 5,000 for travel', '5000 MYR'],
    ['a fee of 10,000 dollars', '10000 USD'],
    ['S/ 3.500 in a drawer', '3500 PEN'],
    ['transfers of 2.5 million USD', '2500000 USD'],
    ['12,000 ringgit', '12000 MYR'],
    ['NT$ 40,000 a month', '40000 TWD'],
  ])('%s → %s', (text, want) => {
    expect(values(text, 'money')).toEqual([want]);
  });

  it('proposes no money without a currency', () => {
    expect(values('43 people and 10,000 calls', 'money')).toEqual([]);
  });
});

describe('dates', () => {
  it('resolves "7 October" against a 2023 dateline', () => {
    const r = run('LIMA, 9 October 2023\nPolice raided the house on 7 October after an alert in September.', { reportDate: '2030-01-01' });
    expect(r.reportDate).toBe('2023-10-09');
    expect(r.reportDateFrom).toBe('dateline');
    expect(r.candidates.filter((c) => c.kind === 'date').map((c) => [c.text, c.value])).toEqual([
      ['9 October 2023', '2023-10-09'], ['7 October', '2023-10-07'], ['September', '2023-09'],
    ]);
  });

  it('uses reportDate without a dateline, and skips "now" and "two days later"', () => {
    const r = run('The victims arrived on 3 March. Now they wait; two days later they left.', { reportDate: '2024-05-02' });
    expect(r.reportDateFrom).toBe('option');
    expect(r.candidates.filter((c) => c.kind === 'date').map((c) => c.value)).toEqual(['2024-03-03']);
  });
});

describe('names and places', () => {
  it('finds Lima with the seed\'s key and coordinates, and ignores a demonym as a place', () => {
    const r = run('Six Taiwanese were arrested in Lima, Peru, by the Peruvian police.');
    const places = r.candidates.filter((c) => c.kind === 'place');
    expect(places.map((c) => c.value)).toEqual(['place/lima|pe', 'place/pe']);
    expect(places[0].props).toMatchObject({ kind: 'city', country: 'PE' });
    expect(Math.abs(Number(places[0].props.lat) - -12.05)).toBeLessThan(0.1);
    expect(r.candidates.find((c) => c.kind === 'organization')).toMatchObject({ label: 'Peruvian police', props: { kind: 'police', country: 'PE' } });
  });

  it('does not take a common word or a small town for a city', () => {
    expect(values('Mobile phones were seized. Reading the files took days.', 'place')).toEqual([]);
  });

  it('proposes typed links from one sentence and never RELATED_TO', () => {
    const r = run('Inspector Rosa Quispe of the Peruvian National Police called +51 987 654 321.\nOfficers seized US$10,000 in Lima.');
    const by = (label: string) => r.candidates.find((c) => c.label === label)!.id;
    const links = r.links.map((l) => [l.type, l.from, l.to]);
    expect(links).toEqual(expect.arrayContaining([
      ['MEMBER_OF', by('Rosa Quispe'), by('Peruvian National Police')],
      ['USES_PHONE', expect.any(String), by('+51987654321')],
      ['SEIZED_AT', by('10,000 USD'), by('Lima')],
    ]));
    expect(r.links.some((l) => l.type === 'RELATED_TO')).toBe(false);
  });
});

describe('sentences and documents', () => {
  it('splits sentences with offsets; abbreviations do not end one, line breaks do', () => {
    const text = 'Mr. Chen met Dr. Ruiz on 7 Oct. 2023 in Lima. Then he left.\nNo full stop here\n\nLast one.';
    const s = splitSentences(text).map((x) => text.slice(x.start, x.end));
    expect(s).toEqual(['Mr. Chen met Dr. Ruiz on 7 Oct. 2023 in Lima.', 'Then he left.', 'No full stop here', 'Last one.']);
  });

  it('keeps hostile markup in a text file as text', async () => {
    const hostile = 'Suspect note: <img src=x onerror="alert(1)"> call +51 987 654 321 <script>alert(2)</script>';
    const doc = await toPlainText(Buffer.from(hostile), 'note.txt');
    expect(doc).toEqual({ kind: 'text', text: hostile });
    const r = run(doc.text);
    expect(r.text).toBe(hostile);
    expect(r.candidates.map((c) => c.text)).toEqual(['+51 987 654 321']);
  });

  it.each([
    { name: 'report.md', bytes: Buffer.from('# Title\n\n**Seized:** [cash](http://x.example) and `phones`\n- item one\n'), want: 'Title\n\nSeized: cash and phones\nitem one' },
    { name: 'bom.txt', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Lima\r\nPeru')]), want: 'Lima\nPeru' },
    { name: 'utf16.txt', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Perú', 'utf16le')]), want: 'Perú' },
    { name: 'latin.txt', bytes: Buffer.from([0x50, 0x65, 0x72, 0xfa]), want: 'Perú' },
  ])('reads $name', async ({ name, bytes, want }) => {
    expect((await toPlainText(bytes, name)).text).toBe(want);
  });

  it('detects kinds from content first', () => {
    expect(detectKind(Buffer.from('%PDF-1.7\n...'), 'x.txt')).toBe('pdf');
    expect(detectKind(Buffer.from('<!DOCTYPE html><p>x'), 'x.txt')).toBe('html');
    expect(detectKind(Buffer.from('plain'), 'x.markdown')).toBe('markdown');
    expect(() => decodeText(Buffer.from([1, 2, 0, 0, 3, 4]), 'blob.bin')).toThrow(expect.objectContaining({ code: 'unsupported_format' }));
  });

  it('finishes a 1 MB text in bounded time and size', () => {
    const para = 'Inspector Rosa Quispe met Chen Wei-ling in Lima on 7 October and seized US$10,000; call +51 987 654 321 or write to a.b@example.org.\n';
    const text = para.repeat(Math.ceil(1_000_000 / para.length)).slice(0, 1_000_000);
    const t0 = Date.now();
    const r = run(text);
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(90_000);
    expect(r.sentences.length).toBeGreaterThan(7000);
    expect(r.candidates.length).toBeLessThanOrEqual(MAX_CANDIDATES);
    for (const c of r.candidates) expect(c.spans.length).toBeLessThanOrEqual(MAX_SPANS);
    expect(r.candidates.find((c) => c.kind === 'phone')!.spans.length).toBe(MAX_SPANS);
    expect(r.warnings.join(' ')).toMatch(/first [\d,]+ characters only/);
  }, 120_000);
});
