// SYNTHETIC Cellebrite UFDR generator: a deterministic report.xml (or a .ufdr ZIP holding it) for a phone
// seized in the La Molina house in Lima. Everything it writes is invented and labelled SYNTHETIC. Output
// is streamed, so a benchmark can ask for millions of calls (hundreds of MB) without holding them.
//
//   tsx seed/generators/ufdr.ts out.xml --calls 1000000 [--seed 7] [--contacts 60] [--messages 2000]
//   tsx seed/generators/ufdr.ts out.ufdr --calls 1000         (a .ufdr name writes the ZIP)
import { luhnCheckDigit } from '../../backend/src/model/normalise.ts';
import { rng } from './prng.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

export interface ExtraCall {
  /** the other party's number as it should be written in the report */
  remote: string;
  /** ISO time with an offset */
  at: string;
  durationS: number;
  direction: 'incoming' | 'outgoing';
}

export interface SyntheticUfdrOptions {
  seed?: number;
  /** number of generated calls (plus `extraCalls`) */
  calls?: number;
  /** number of contacts (at least the built-in pool of story numbers, when larger) */
  contacts?: number;
  /** number of messages: half SMS, half WhatsApp chat messages */
  messages?: number;
  /** 15-digit IMEI; default a synthetic one with a valid Luhn check digit */
  imei?: string;
  /** device owner line in E.164; default a synthetic Peruvian mobile +51 9xx xxx xxx */
  msisdn?: string;
  /** fixed calls to add (e.g. the same call logged by two seized phones) */
  extraCalls?: ExtraCall[];
  /** written into the project and extraction names (always with SYNTHETIC) */
  label?: string;
  /** people every phone of a scenario shares (handlers, compound lines), added before the random ones */
  sharedPeople?: Person[];
}

export interface SyntheticUfdrSummary {
  imei: string;
  msisdn: string;
  calls: number;
  contacts: number;
  sms: number;
  chatMessages: number;
  chats: number;
  deletedCalls: number;
  bytes: number;
}

/** Numbers of the story that every generated report uses (some in several written forms). */
export const STORY_NUMBERS = {
  /** a Kuala Lumpur landline written three ways (the third only on a Malaysian-SIM phone) */
  myLandline: { e164: '+60321611111', forms: ['+60 3-2161 1111', '0060321611111', '03-2161 1111'] },
};

/** The generator's random source: the shared seeded PRNG (no Math.random anywhere). */
export function prng(seed: number): () => number {
  return rng(seed).next;
}

/** Luhn check digit for a string of digits (synthetic IMEIs). */
export const luhnDigit = luhnCheckDigit;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export interface Person {
  e164: string;
  /** ways the number is written in this report */
  forms: string[];
  name: string;
  kind: 'compound' | 'handler' | 'malaysia';
  whatsapp: boolean;
}

const GIVEN_PE = ['José', 'Luis', 'Carlos', 'María', 'Rosa', 'Jorge', 'Ana', 'Miguel', 'Lucía', 'Pedro', 'Elena', 'Víctor'];
const GIVEN_TW = ['A-Long', 'Xiao Hu', 'Lao Wang', 'Mei-Ling', 'Ah-Cheng', 'Da Ge'];
const GIVEN_MY = ['Aminah', 'Farid', 'Siti', 'Wei Jie', 'Kumar', 'Nurul', 'Hafiz', 'Mei Yee', 'Rajesh', 'Azlan', 'Zainab', 'Chong'];
const CHAT_LINES = [
  'Llegaron los nuevos, 5 personas',
  'Script de hoy: banco, tarjeta bloqueada',
  'Mak, saya ok, jangan risau',
  'Transfer RM 3,500 to the account I send',
  'Quota not reached <again> — no food tonight',
  'Police? No. Just stay inside & wait',
  '老闆說明天換手機',
  'Send the list of numbers for Penang',
  'Pago por Western Union mañana',
  'Rumah di Lima, tak boleh keluar',
];

export class SyntheticUfdr {
  private readonly r: () => number;
  readonly imei: string;
  readonly msisdn: string;
  private readonly people: Person[] = [];
  private t: number;
  private readonly step: number;
  private readonly summary: SyntheticUfdrSummary;
  private readonly ownerJid: string;
  private readonly myDevice: boolean;

  constructor(private readonly o: SyntheticUfdrOptions = {}) {
    this.r = prng(o.seed ?? 1);
    const tac = '35' + this.digits(6);
    const body = tac + this.digits(6);
    this.imei = o.imei ?? body + luhnDigit(body);
    this.msisdn = o.msisdn ?? `+519${this.digits(8)}`;
    this.ownerJid = `${this.msisdn.replace(/\D/g, '')}@s.whatsapp.net`;
    this.myDevice = this.msisdn.startsWith('+60');
    this.buildPeople();
    const total = (o.calls ?? 100) + (o.messages ?? 40);
    const start = Date.UTC(2023, 0, 1);
    const end = Date.UTC(2023, 9, 31);
    this.t = start;
    this.step = Math.max(1, Math.floor((end - start) / 1000 / Math.max(1, total)));
    this.summary = { imei: this.imei, msisdn: this.msisdn, calls: 0, contacts: 0, sms: 0, chatMessages: 0, chats: 0, deletedCalls: 0, bytes: 0 };
  }

  private digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.r() * 10);
    return s;
  }
  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.r() * list.length)];
  }
  private id(): string {
    const h = () => Math.floor(this.r() * 0x10000).toString(16).padStart(4, '0');
    return `${h()}${h()}-${h()}-${h()}-${h()}-${h()}${h()}${h()}`;
  }

  private buildPeople(): void {
    const add = (p: Person) => {
      if (!this.people.some((q) => q.e164 === p.e164) && p.e164 !== this.msisdn) this.people.push(p);
    };
    for (const p of this.o.sharedPeople ?? []) add(p);
    const ml = STORY_NUMBERS.myLandline;
    add({ e164: ml.e164, forms: this.myDevice ? ml.forms : ml.forms.slice(0, 2), name: 'Keluarga KL (rumah)', kind: 'malaysia', whatsapp: false });
    for (let i = 0; i < 6; i++) {
      const d = `9${this.digits(8)}`;
      add({ e164: `+51${d}`, forms: [`${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, `+51${d}`], name: `${GIVEN_PE[i % GIVEN_PE.length]} (casa)`, kind: 'compound', whatsapp: this.r() < 0.7 });
    }
    for (let i = 0; i < 4; i++) {
      const d = `9${this.digits(8)}`;
      add({ e164: `+886${d}`, forms: [`+886 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, `00886${d}`], name: `${GIVEN_TW[i % GIVEN_TW.length]} 紅龍`, kind: 'handler', whatsapp: true });
    }
    for (let i = 0; i < 8; i++) {
      const mobile = this.r() < 0.7;
      const d = mobile ? `1${this.pick(['2', '3', '6', '7', '9'])}${this.digits(7)}` : `3${this.digits(8)}`;
      const national = mobile ? `0${d.slice(0, 2)}-${d.slice(2, 5)} ${d.slice(5)}` : `0${d.slice(0, 1)}-${d.slice(1, 5)} ${d.slice(5)}`;
      const intl = mobile ? `+60 ${d.slice(0, 2)}-${d.slice(2, 5)} ${d.slice(5)}` : `+60 ${d.slice(0, 1)}-${d.slice(1, 5)} ${d.slice(5)}`;
      const forms = this.myDevice ? [intl, `0060${d}`, national] : [intl, `0060${d}`];
      add({ e164: `+60${d}`, forms, name: `${GIVEN_MY[i % GIVEN_MY.length]} (Malaysia)`, kind: 'malaysia', whatsapp: mobile });
    }
  }

  /** the next timestamp, strictly increasing (a second apart at least) */
  private nextTime(): number {
    this.t += (this.step > 1 ? 1 + Math.floor(this.r() * this.step) : 1) * 1000;
    return this.t;
  }

  /** ISO text as Cellebrite writes it: mostly UTC, some Lima local time (-05:00), a few without offset */
  private iso(ms: number): string {
    const x = this.r();
    if (x < 0.05) return new Date(ms).toISOString().replace('Z', '').replace(/\.\d{3}$/, '');
    if (x < 0.25) {
      const d = new Date(ms - 5 * 3600_000);
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000-05:00`;
    }
    return new Date(ms).toISOString().replace('Z', '+00:00');
  }

  private f(name: string, type: string, value: string, raw = false): string {
    return `<field name="${name}" type="${type}"><value type="${type}">${raw ? value : esc(value)}</value></field>`;
  }

  private party(identifier: string, role: 'From' | 'To', name: string | null, owner: boolean): string {
    return `<model type="Party" id="${this.id()}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
      + this.f('Identifier', 'String', identifier) + this.f('Role', 'PartyRole', role)
      + (name ? this.f('Name', 'String', cdata(name), true) : '') + this.f('IsPhoneOwner', 'Boolean', owner ? 'True' : 'False') + '</model>';
  }

  private head(): string {
    const label = `SYNTHETIC ${this.o.label ?? 'Lima La Molina house phone'}`;
    const items: [string, string][] = [
      ['DeviceInfoSelectedManufacturer', 'Samsung'], ['DeviceInfoSelectedModel', 'SM-A125M (SYNTHETIC)'], ['IMEI', this.imei],
      ['MSISDN', this.msisdn], ['DeviceInfoOwnerName', 'SYNTHETIC owner (unknown)'], ['DeviceInfoOSVersion', 'Android 12'],
    ];
    return '<?xml version="1.0" encoding="utf-8"?>\n'
      + `<project id="${this.id()}" name="${esc(label)}" reportVersion="7.60.0.0" licenseID="SYNTHETIC" containsGarbage="False" extractionType="AdvancedLogical" xmlns="http://pa.cellebrite.com/report/2.0">\n`
      + `<sourceExtractions><extractionInfo id="0" name="${esc(label)} — Logical" isCustomName="True" type="Logical" deviceName="SYNTHETIC SM-A125M" fullName="SYNTHETIC Samsung SM-A125M" index="0" IsPartialData="False" /></sourceExtractions>\n`
      + '<caseInformation><field name="Case Number" isSystem="True" isRequired="False" fieldType="CaseNumber" multipleLines="False">SYNTHETIC-LIMA-2023</field></caseInformation>\n'
      + '<metadata section="Extraction Data"><item name="DeviceInfoExtractionStartDateTime" sourceExtraction="0"><![CDATA[01/11/2023 10:00:00(UTC-5)]]></item></metadata>\n'
      + `<metadata section="Device Info">${items.map(([k, v]) => `<item id="${this.id()}" name="${k}" sourceExtraction="0">${cdata(v)}</item>`).join('')}</metadata>\n`
      + '<decodedData>\n';
  }

  private contactXml(p: Person, i: number): string {
    const entries: string[] = [];
    for (const form of p.forms.slice(0, 1 + Math.floor(this.r() * p.forms.length))) {
      entries.push(`<model type="PhoneNumber" id="${this.id()}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">${this.f('Category', 'String', 'Mobile')}${this.f('Value', 'String', form)}</model>`);
    }
    if (p.whatsapp) {
      entries.push(`<model type="UserID" id="${this.id()}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">${this.f('Category', 'String', 'WhatsApp')}${this.f('Value', 'String', `${p.e164.slice(1)}@s.whatsapp.net`)}${this.f('Domain', 'String', 'WhatsApp')}</model>`);
    }
    if (i % 7 === 3) {
      entries.push(`<model type="EmailAddress" id="${this.id()}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">${this.f('Category', 'String', 'Home')}${this.f('Value', 'String', `synthetic.contact${i}@example.org`)}</model>`);
    }
    return `<model type="Contact" id="${this.id()}" deleted_state="${i % 11 === 5 ? 'Deleted' : 'Intact'}" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
      + this.f('Source', 'String', p.whatsapp && i % 2 ? 'WhatsApp' : 'Phone') + this.f('Name', 'String', cdata(p.name), true)
      + `<multiModelField name="Entries" type="ContactEntry">${entries.join('')}</multiModelField></model>\n`;
  }

  private callXml(remote: string, remoteName: string | null, ms: number | string, dir: 'incoming' | 'outgoing' | 'missed', durationS: number, app: 'Phone' | 'WhatsApp', deleted: boolean): string {
    const at = typeof ms === 'string' ? ms : this.iso(ms);
    const ownerParty = this.r() < 0.5;
    const owner = app === 'WhatsApp' ? this.ownerJid : this.msisdn;
    const parties = dir === 'outgoing'
      ? (ownerParty ? this.party(owner, 'From', null, true) : '') + this.party(remote, 'To', remoteName, false)
      : this.party(remote, 'From', remoteName, false) + (ownerParty ? this.party(owner, 'To', null, true) : '');
    const h = Math.floor(durationS / 3600);
    const m = Math.floor((durationS % 3600) / 60);
    return `<model type="Call" id="${this.id()}" deleted_state="${deleted ? 'Deleted' : 'Intact'}" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
      + this.f('Source', 'String', app)
      + this.f('Direction', 'CallDirection', dir === 'outgoing' ? 'Outgoing' : 'Incoming')
      + this.f('Type', 'CallType', dir === 'missed' ? 'Missed' : dir === 'outgoing' ? 'Outgoing' : 'Incoming')
      + this.f('Status', 'CallStatus', dir === 'missed' ? 'Missed' : 'Established')
      + this.f('TimeStamp', 'TimeStamp', at)
      + this.f('Duration', 'TimeSpan', `${pad(h)}:${pad(m)}:${pad(durationS % 60)}`)
      + this.f('VideoCall', 'Boolean', app === 'WhatsApp' && this.r() < 0.2 ? 'True' : 'False')
      + `<multiModelField name="Parties" type="Party">${parties}</multiModelField></model>\n`;
  }

  private smsXml(p: Person, ms: number): string {
    const incoming = this.r() < 0.6;
    const remote = this.pick(p.forms);
    const parties = incoming ? this.party(remote, 'From', p.name, false) : this.party(remote, 'To', p.name, false);
    return `<model type="SMS" id="${this.id()}" deleted_state="${this.r() < 0.03 ? 'Deleted' : 'Intact'}" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
      + this.f('TimeStamp', 'TimeStamp', this.iso(ms)) + this.f('Folder', 'String', incoming ? 'Inbox' : 'Sent')
      + this.f('Status', 'String', incoming ? 'Read' : 'Sent') + this.f('Body', 'String', cdata(`${this.pick(CHAT_LINES)} [SYNTHETIC]`), true)
      + `<multiModelField name="Parties" type="Party">${parties}</multiModelField></model>\n`;
  }

  private *chatXml(p: Person, n: number): Generator<string> {
    const jid = `${p.e164.slice(1)}@s.whatsapp.net`;
    yield `<model type="Chat" id="${this.id()}" deleted_state="Intact" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
      + this.f('Source', 'String', 'WhatsApp') + this.f('Id', 'String', jid) + this.f('Name', 'String', cdata(p.name), true)
      + `<multiModelField name="Participants" type="Party">${this.party(this.ownerJid, 'To', null, true)}${this.party(jid, 'To', p.name, false)}</multiModelField>`
      + '<multiModelField name="Messages" type="InstantMessage">';
    for (let i = 0; i < n; i++) {
      const fromOwner = this.r() < 0.5;
      const [from, to] = fromOwner ? [this.ownerJid, jid] : [jid, this.ownerJid];
      yield `<model type="InstantMessage" id="${this.id()}" deleted_state="${this.r() < 0.03 ? 'Deleted' : 'Intact'}" decoding_confidence="High" isrelated="False" source_index="0" extractionId="0">`
        + this.f('Source', 'String', 'WhatsApp') + this.f('TimeStamp', 'TimeStamp', this.iso(this.nextTime()))
        + this.f('Body', 'String', cdata(`${this.pick(CHAT_LINES)} [SYNTHETIC]`), true)
        + `<modelField name="From" type="Party">${this.party(from, 'From', fromOwner ? null : p.name, fromOwner)}</modelField>`
        + `<multiModelField name="To" type="Party">${this.party(to, 'To', fromOwner ? p.name : null, !fromOwner)}</multiModelField></model>\n`;
      this.summary.chatMessages++;
    }
    yield '</multiModelField></model>\n';
    this.summary.chats++;
  }

  /** The report.xml as a sequence of text pieces (each small; callers batch them). */
  *pieces(): Generator<string> {
    yield this.head();
    const nContacts = Math.max(this.o.contacts ?? this.people.length, 0);
    while (this.people.length < nContacts) {
      const d = `9${this.digits(8)}`;
      this.people.push({ e164: `+51${d}`, forms: [`+51 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`], name: `Contacto ${this.people.length + 1}`, kind: 'compound', whatsapp: false });
    }
    yield '<modelType type="Contact">\n';
    for (let i = 0; i < nContacts; i++) {
      yield this.contactXml(this.people[i], i);
      this.summary.contacts++;
    }
    yield '</modelType>\n<modelType type="Call">\n';
    for (const c of this.o.extraCalls ?? []) {
      yield this.callXml(c.remote, null, c.at, c.direction, c.durationS, 'Phone', false);
      this.summary.calls++;
    }
    const story = this.people.slice(0, 19);
    for (let i = 0; i < (this.o.calls ?? 100); i++) {
      const p = this.pick(story);
      const x = this.r();
      const dir = x < 0.45 ? 'outgoing' : x < 0.85 ? 'incoming' : 'missed';
      const app = p.whatsapp && this.r() < 0.3 ? 'WhatsApp' : 'Phone';
      const remote = app === 'WhatsApp' ? `${p.e164.slice(1)}@s.whatsapp.net` : this.pick(p.forms);
      const deleted = this.r() < 0.02;
      if (deleted) this.summary.deletedCalls++;
      const duration = dir === 'missed' ? 0 : 5 + Math.floor(this.r() * 900);
      yield this.callXml(remote, this.r() < 0.5 ? p.name : null, this.nextTime(), dir, duration, app, deleted);
      this.summary.calls++;
    }
    const messages = this.o.messages ?? 40;
    const nSms = Math.floor(messages / 2);
    yield '</modelType>\n<modelType type="SMS">\n';
    for (let i = 0; i < nSms; i++) {
      yield this.smsXml(this.pick(story), this.nextTime());
      this.summary.sms++;
    }
    yield '</modelType>\n<modelType type="Chat">\n';
    const wa = story.filter((p) => p.whatsapp);
    let left = messages - nSms;
    for (let c = 0; left > 0 && wa.length > 0; c++) {
      const n = Math.min(left, 1 + Math.floor(this.r() * 40));
      yield* this.chatXml(wa[c % wa.length], n);
      left -= n;
    }
    yield '</modelType>\n</decodedData>\n</project>\n';
  }

  /** Pieces batched into ~64 KiB strings. */
  *chunks(): Generator<string> {
    let buf = '';
    for (const p of this.pieces()) {
      buf += p;
      if (buf.length >= 64 * 1024) {
        this.summary.bytes += Buffer.byteLength(buf);
        yield buf;
        buf = '';
      }
    }
    if (buf) {
      this.summary.bytes += Buffer.byteLength(buf);
      yield buf;
    }
  }

  result(): SyntheticUfdrSummary {
    return { ...this.summary };
  }
}

async function write(out: WriteStream, data: string | Uint8Array): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

async function finish(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/** Writes a SYNTHETIC report.xml to `path` as a stream; returns what it contains. */
export async function writeSyntheticUfdrXml(path: string, opts: SyntheticUfdrOptions = {}): Promise<SyntheticUfdrSummary> {
  const gen = new SyntheticUfdr(opts);
  const out = createWriteStream(path);
  for (const chunk of gen.chunks()) await write(out, chunk);
  await finish(out);
  return gen.result();
}

/** Writes a SYNTHETIC .ufdr (ZIP: report.xml deflated, plus a small file under files/) as a stream. */
export async function writeSyntheticUfdr(path: string, opts: SyntheticUfdrOptions = {}): Promise<SyntheticUfdrSummary> {
  const gen = new SyntheticUfdr(opts);
  const out = createWriteStream(path);
  const pending: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failed = err;
    else pending.push(data);
  });
  const drain = async () => {
    if (failed) throw failed;
    while (pending.length) await write(out, pending.shift()!);
  };
  const report = new ZipDeflate('report.xml', { level: 6 });
  zip.add(report);
  const enc = new TextEncoder();
  for (const chunk of gen.chunks()) {
    report.push(enc.encode(chunk));
    await drain();
  }
  report.push(new Uint8Array(0), true);
  const readme = new ZipPassThrough('files/Text/SYNTHETIC-README.txt');
  zip.add(readme);
  readme.push(enc.encode('SYNTHETIC test data for Casegraph. Not from any real device.\n'), true);
  zip.end();
  await drain();
  await finish(out);
  return gen.result();
}

function cli(argv: string[]): SyntheticUfdrOptions & { out: string } {
  const out = argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1].startsWith('--')));
  if (!out) throw new Error('usage: tsx seed/generators/ufdr.ts OUT.xml|OUT.ufdr [--calls N] [--contacts N] [--messages N] [--seed N] [--msisdn +51…] [--imei …]');
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string) => (opt(name) === undefined ? undefined : Number(opt(name)));
  return { out, seed: num('seed'), calls: num('calls'), contacts: num('contacts'), messages: num('messages'), msisdn: opt('msisdn'), imei: opt('imei') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { out, ...opts } = cli(process.argv.slice(2));
  const started = Date.now();
  (/\.ufdr$/i.test(out) ? writeSyntheticUfdr(out, opts) : writeSyntheticUfdrXml(out, opts)).then(
    (summary) => console.log(JSON.stringify({ out, ...summary, ms: Date.now() - started })),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
