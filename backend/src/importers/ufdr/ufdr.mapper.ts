// Maps Cellebrite models (Contact, Call, SMS/MMS, Chat/InstantMessage) and the Device Info metadata onto
// canonical records, following the mapping every device importer shares (see the importer brief):
// the Device and its owner line, HAS_CONTACT links, CALLED and MESSAGED events caller → callee.
import { BatchBuilder, type Props } from '../../model/index.ts';
import { addDevice, type DeviceRefs } from '../shared/device.ts';
import { LIMITS } from '../shared/limits.ts';
import { parseIsoLike, parseTimeSpan, plausible } from '../shared/time.ts';
import type { ImportContext, ImportInput } from '../types.ts';
import type { ModelNode, UfdrSink } from './ufdr.reader.ts';

export interface UfdrMapperOptions {
  /** zone for timestamps written without an offset */
  assumeZone: string;
}

const DEVICE_LOCATOR = 'metadata[@section="Device Info"]';
const JID = /^(\d{6,15})@(s\.whatsapp\.net|c\.us)$/i;
const WA_OTHER = /@(g\.us|broadcast|newsletter|lid)$/i;
const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
const PHONE_LIKE = /^[+\d\s().\-\u00a0\u2000-\u200b\u202f/]+$/;
const WITHHELD_WORDS = /^(unknown|private|withheld|anonymous|restricted|hidden|no caller id|payphone|-1|-2|-3)$/i;
/** apps whose party identifiers are phone numbers (else bare digits are user ids, e.g. Facebook) */
const PHONE_APPS = /whatsapp|sms|mms|imessage|facetime|phone|native|dialer|call|viber|signal|contacts|sim|messages/i;

interface Party {
  identifier: string;
  name?: string;
  role: string;
  isOwner: boolean;
}

function field(n: ModelNode, name: string): string | undefined {
  return n.fields.get(name.toLowerCase());
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(true|yes|1)$/i.test(v.trim());
}

function partyOf(n: ModelNode): Party {
  return {
    identifier: field(n, 'Identifier') ?? '',
    name: field(n, 'Name'),
    role: (field(n, 'Role') ?? '').toLowerCase(),
    isOwner: truthy(field(n, 'IsPhoneOwner')),
  };
}

export function modelLocator(n: ModelNode): string {
  return n.id ? `${n.type}[@id="${n.id.replace(/"/g, "'").slice(0, 200)}"]` : n.path.slice(0, 480);
}

export class UfdrMapper implements UfdrSink {
  private device: DeviceRefs | null = null;
  private readonly info = new Map<string, string[]>();
  private extractionName?: string;
  private readonly skipped = new Map<string, number>();
  private readonly endpoints = new Map<string, string>();
  /** records read (for progress) */
  records = 0;

  constructor(
    private readonly b: BatchBuilder,
    private readonly input: Pick<ImportInput, 'name' | 'sha256'>,
    private readonly ctx: ImportContext,
    private readonly opts: UfdrMapperOptions,
  ) {}

  warn(message: string): void {
    this.b.warn(`${this.input.name}: ${message}`);
  }

  project(attrs: Record<string, string>): void {
    if (attrs.name) this.b.source.title = attrs.name.slice(0, 500);
  }

  extraction(attrs: Record<string, string>): void {
    if (!this.extractionName && (attrs.deviceName || attrs.name)) this.extractionName = attrs.deviceName || attrs.name;
  }

  deviceInfo(name: string, value: string): void {
    if (!name || !value) return;
    if (this.device) {
      this.warn(`${DEVICE_LOCATOR}: item ${name} comes after the decoded data and was not used`);
      return;
    }
    const key = name.toLowerCase();
    const list = this.info.get(key);
    if (!list) this.info.set(key, [value]);
    else if (list.length < 20 && !list.includes(value)) list.push(value);
  }

  decodedData(): void {
    this.ensureDevice();
  }

  /** Creates the Device and owner line from the Device Info items seen so far (once). */
  ensureDevice(): DeviceRefs {
    if (this.device) return this.device;
    const first = (...keys: string[]) => {
      for (const k of keys) {
        const v = this.info.get(k.toLowerCase());
        if (v?.length) return v[0];
      }
      return undefined;
    };
    const props: Props = {};
    const set = (prop: string, ...keys: string[]) => {
      const v = first(...keys);
      if (v) props[prop] = v.slice(0, 500);
    };
    set('ownerName', 'DeviceInfoOwnerName', 'OwnerName');
    set('manufacturer', 'DeviceInfoSelectedManufacturer', 'DeviceInfoDetectedManufacturer', 'DeviceInfoDetectedPhoneVendor', 'Manufacturer');
    set('os', 'DeviceInfoOSVersion', 'OSVersion', 'DeviceInfoOSType');
    set('appleId', 'DeviceInfoAppleID');
    set('uniqueId', 'DeviceInfoUniqueID');
    set('imsi', 'IMSI');
    set('iccid', 'ICCID');
    set('lastUsedMsisdn', 'LastUsedMSISDN');
    const imeis = this.info.get('imei') ?? [];
    if (imeis.length > 1) props.otherImeis = imeis.slice(1);
    const msisdns = this.info.get('msisdn') ?? [];
    if (msisdns.length > 1) props.otherMsisdns = msisdns.slice(1);
    if (this.b.source.title) props.extraction = this.b.source.title;
    this.device = addDevice(this.b, {
      imei: imeis[0],
      msisdn: msisdns[0] ?? first('LastUsedMSISDN'),
      model: first('DeviceInfoDetectedModel', 'DeviceInfoSelectedModel', 'DeviceInfoDetectedPhoneModel', 'DeviceModel', 'Model'),
      name: first('DeviceInfoDeviceName', 'DeviceName') ?? this.extractionName,
      serial: first('DeviceInfoSerialNumber', 'SerialNumber', 'Serial'),
      props,
      locator: DEVICE_LOCATOR,
    }, this.ctx.defaultRegion);
    // further owner lines (dual SIM): the device uses them too
    for (const other of msisdns.slice(1)) {
      const id = this.b.phone(other, { region: this.device.region, locator: DEVICE_LOCATOR, props: { role: 'device owner line' } }).id;
      if (id !== this.device.ownerPhoneId) this.b.link('USES_PHONE', this.device.deviceId, id, DEVICE_LOCATOR);
    }
    return this.device;
  }

  finish(): void {
    this.ensureDevice();
    if (this.skipped.size > 0) {
      const list = [...this.skipped].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([t, n]) => `${t} ×${n}`).join(', ');
      this.warn(`model types not imported: ${list}`);
    }
  }

  model(n: ModelNode): void {
    this.records++;
    this.ensureDevice();
    switch (n.type.toLowerCase()) {
      case 'contact':
        return this.contact(n);
      case 'call':
        return this.call(n);
      case 'sms':
        return this.textMessage(n, 'sms');
      case 'mms':
        return this.textMessage(n, 'mms');
      case 'chat':
        // messages were taken one by one as they closed; a chat's participants need no record of their own
        return;
      case 'instantmessage':
        return this.chatMessage(n, null, modelLocator(n));
      default:
        this.skipped.set(n.type, (this.skipped.get(n.type) ?? 0) + 1);
    }
  }

  child(owner: ModelNode, list: string, child: ModelNode, index: number): boolean {
    if (owner.type.toLowerCase() !== 'chat' || list !== 'messages') return false;
    this.records++;
    this.ensureDevice();
    const locator = child.id ? modelLocator(child) : `${modelLocator(owner)}/Messages[${index}]`;
    this.chatMessage(child, owner, locator);
    return true;
  }

  // ---- endpoints -----------------------------------------------------------------------------------

  /**
   * The graph end for a party identifier: a Phone (numbers, WhatsApp JIDs), an Email, or an Account
   * (app user ids). Empty identifiers are the owner line when the party is the owner, else a withheld
   * number scoped to this record so that unknown callers never merge.
   */
  private endpoint(p: Party, app: string | undefined, locator: string): string {
    const id = p.identifier.trim();
    // the same few parties recur in every record: resolve each (identifier, app, name, owner) once
    const key = id && !WITHHELD_WORDS.test(id) ? `${app ?? ''}\u0000${id}\u0000${p.name ?? ''}\u0000${p.isOwner ? 1 : 0}` : '';
    if (key) {
      const known = this.endpoints.get(key);
      if (known) return known;
    }
    const result = this.resolve(p, id, app, locator);
    if (key) {
      if (this.endpoints.size >= 100_000) this.endpoints.clear();
      this.endpoints.set(key, result);
    }
    return result;
  }

  private resolve(p: Party, id: string, app: string | undefined, locator: string): string {
    const dev = this.ensureDevice();
    const aliases = p.name && p.name !== id ? [p.name.slice(0, 200)] : undefined;
    let result: string;
    if (!id) {
      if (p.isOwner) return dev.ownerPhoneId;
      return this.b.phone('', { scope: `${this.input.sha256}:${locator}`, locator }).id;
    }
    const jid = JID.exec(id);
    if (jid) {
      result = this.b.phone(id, { region: dev.region, locator, aliases }).id;
      const account = this.b.entity('Account', { label: id.toLowerCase(), props: { handle: id.toLowerCase(), app: 'WhatsApp' }, locator });
      this.b.link('USES_ACCOUNT', result, account, locator);
    } else if (WA_OTHER.test(id)) {
      result = this.b.entity('Account', { label: id.toLowerCase(), props: { handle: id.toLowerCase(), app: app || 'WhatsApp', group: /@g\.us$/i.test(id) }, aliases, locator });
    } else if (EMAIL.test(id)) {
      result = this.b.entity('Email', { label: id, props: { address: id.toLowerCase() }, aliases, locator });
    } else if (WITHHELD_WORDS.test(id)) {
      result = this.b.phone(id, { scope: `${this.input.sha256}:${locator}`, locator }).id;
    } else if (PHONE_LIKE.test(id) && /\d{3}/.test(id.replace(/\D/g, '')) && (!app || PHONE_APPS.test(app) || /^\s*(\+|00)/.test(id))) {
      result = this.b.phone(id, { region: dev.region, locator, aliases }).id;
    } else if (!app || PHONE_APPS.test(app)) {
      // SMS sender ids such as "MOVISTAR" are alphanumeric phone identifiers
      result = this.b.phone(id, { region: dev.region, locator, aliases }).id;
    } else {
      result = this.b.entity('Account', { label: id, props: { handle: id, app }, aliases, locator });
    }
    if (p.isOwner && result !== dev.ownerPhoneId) {
      const t = this.b.typeOf(result);
      if (t === 'Phone') this.b.link('USES_PHONE', dev.deviceId, result, locator);
      else if (t === 'Account' || t === 'Email') this.b.link('USES_ACCOUNT', dev.deviceId, result, locator);
    }
    return result;
  }

  private time(n: ModelNode, name: string, locator: string): { at: Date; original: string; zoneAssumed?: string } | null {
    // older and newer report versions name the start time differently
    const text = field(n, name) ?? field(n, 'StartTime') ?? field(n, 'DateSent') ?? field(n, 'DateDelivered') ?? field(n, 'DateRead');
    if (!text) {
      this.warn(`${locator}: no ${name}; record skipped`);
      return null;
    }
    const t = parseIsoLike(text, this.opts.assumeZone);
    if (!t || !plausible(t.at)) {
      this.warn(`${locator}: ${name} "${text.slice(0, 60)}" is not a usable date; record skipped`);
      return null;
    }
    return { at: t.at, original: text, ...(t.assumedZone ? { zoneAssumed: t.assumedZone } : {}) };
  }

  private body(text: string | undefined, locator: string): string | undefined {
    if (text === undefined) return undefined;
    if (text.length > LIMITS.maxTextChars) {
      this.warn(`${locator}: body longer than ${LIMITS.maxTextChars} characters was truncated`);
      return text.slice(0, LIMITS.maxTextChars);
    }
    return text;
  }

  // ---- models --------------------------------------------------------------------------------------

  private contact(n: ModelNode): void {
    const dev = this.ensureDevice();
    const locator = modelLocator(n);
    const name = (field(n, 'Name') ?? '').slice(0, 500);
    const source = field(n, 'Source');
    const entries = n.many.get('entries') ?? [];
    let made = 0;
    for (const e of entries) {
      const value = (field(e, 'Value') ?? '').trim();
      if (!value) continue;
      const category = field(e, 'Category');
      const domain = field(e, 'Domain');
      const props: Props = {};
      if (name) props.name = name;
      if (source) props.source = source;
      if (category) props.category = category;
      if (n.deleted || e.deleted) props.deleted = true;
      const aliases = name ? [name] : undefined;
      const kind = e.type.toLowerCase();
      let target: string;
      if (kind === 'emailaddress' || (kind !== 'phonenumber' && EMAIL.test(value) && !JID.test(value))) {
        target = this.b.entity('Email', { label: value, props: { address: value.toLowerCase() }, aliases, locator });
      } else if (kind === 'phonenumber' || JID.test(value)) {
        target = this.b.phone(value, { region: dev.region, locator, aliases, scope: `${this.input.sha256}:${locator}` }).id;
        if (JID.test(value)) {
          const account = this.b.entity('Account', { label: value.toLowerCase(), props: { handle: value.toLowerCase(), app: 'WhatsApp' }, locator });
          this.b.link('USES_ACCOUNT', target, account, locator);
        }
      } else if (kind === 'userid' && PHONE_LIKE.test(value) && PHONE_APPS.test(domain ?? source ?? '')) {
        // a phone-number user id of a phone-number app (WhatsApp, Viber, Signal…) is that number
        target = this.b.phone(value, { region: dev.region, locator, aliases, scope: `${this.input.sha256}:${locator}` }).id;
      } else if (kind === 'userid') {
        const app = domain || source || 'unknown';
        target = this.b.entity('Account', { label: value, props: { handle: value, app }, aliases, locator });
      } else {
        continue;
      }
      this.b.link('HAS_CONTACT', dev.deviceId, target, locator, props);
      made++;
    }
    if (made === 0) this.warn(`${locator}: contact${name ? ` "${name.slice(0, 60)}"` : ''} has no number, address or user id; skipped`);
  }

  private call(n: ModelNode): void {
    const dev = this.ensureDevice();
    const locator = modelLocator(n);
    const t = this.time(n, 'TimeStamp', locator);
    if (!t) return;
    const durationText = field(n, 'Duration');
    let durationS: number | null = null;
    if (durationText) {
      durationS = parseTimeSpan(durationText) ?? (/^\d+(\.\d+)?$/.test(durationText) ? Number(durationText) : null);
      if (durationS === null) this.warn(`${locator}: Duration "${durationText.slice(0, 40)}" is not a time span; kept without duration`);
    }
    const dirText = (field(n, 'Direction') ?? '').toLowerCase();
    const typeText = (field(n, 'Type') ?? '').toLowerCase();
    const statusText = (field(n, 'Status') ?? '').toLowerCase();
    let direction: 'incoming' | 'outgoing' | undefined;
    if (/^(incoming|in)$/.test(dirText)) direction = 'incoming';
    else if (/^(outgoing|out)$/.test(dirText)) direction = 'outgoing';
    else if (/^(incoming|received|missed|rejected|declined|blocked|refused)/.test(typeText)) direction = 'incoming';
    else if (/^(outgoing|dialed|dialled)/.test(typeText)) direction = 'outgoing';
    let status: string | undefined;
    if (/^(established|answered|connected|accepted|completed)/.test(statusText)) status = 'answered';
    else if (/^(missed|notanswered|not answered|unanswered|no answer)/.test(statusText)) status = 'missed';
    else if (/^(rejected|declined|refused)/.test(statusText)) status = 'rejected';
    else if (/^(cancel)/.test(statusText)) status = 'cancelled';
    else if (/^blocked/.test(statusText)) status = 'blocked';
    else if (statusText) status = statusText.slice(0, 40);
    else if (/^missed/.test(typeText)) status = 'missed';
    else if (/^(rejected|declined|refused)/.test(typeText)) status = 'rejected';
    else if (/^blocked/.test(typeText)) status = 'blocked';
    else if (durationS !== null && durationS > 0) status = 'answered';
    const app = field(n, 'Source') || undefined;
    const video = field(n, 'VideoCall');
    const ends = this.ends(n.many.get('parties') ?? [], direction, app, locator, dev.ownerPhoneId);
    if (!ends) return;
    const props: Props = {};
    if (direction) props.direction = direction;
    if (status) props.status = status;
    if (app) props.app = app;
    if (video !== undefined) props.video = truthy(video);
    if (t.zoneAssumed) props.zoneAssumed = t.zoneAssumed;
    for (const to of ends.to) {
      if (to === ends.from) {
        this.warn(`${locator}: caller and callee are the same line; skipped`);
        continue;
      }
      this.b.event('CALLED', ends.from, to, { kind: 'call', at: t.at, durationS, deleted: n.deleted, original: t.original, props, locator });
    }
  }

  /**
   * Caller/sender and callee/recipients from a party list: Role From / To when given; otherwise the
   * direction says which side is the device owner. Null (with a warning) when it cannot be told.
   */
  private ends(parties: ModelNode[], direction: 'incoming' | 'outgoing' | undefined, app: string | undefined, locator: string, owner: string): { from: string; to: string[] } | null {
    const ps = parties.map(partyOf);
    const fromP = ps.find((p) => p.role === 'from');
    const toPs = ps.filter((p) => p.role === 'to' || p.role === 'cc' || p.role === 'bcc');
    const others = ps.filter((p) => p !== fromP && !toPs.includes(p));
    const ep = (p: Party) => this.endpoint(p, app, locator);
    if (fromP && toPs.length > 0) return { from: ep(fromP), to: toPs.map(ep) };
    if (fromP) {
      const from = ep(fromP);
      if (fromP.isOwner || from === owner) {
        if (others.length > 0) return { from, to: others.map(ep) };
        this.warn(`${locator}: the owner is the only party; skipped`);
        return null;
      }
      return { from, to: [owner] };
    }
    if (toPs.length > 0) return { from: owner, to: toPs.map(ep) };
    if (others.length === 0) {
      this.warn(`${locator}: no parties; skipped`);
      return null;
    }
    const remote = others.filter((p) => !p.isOwner);
    const remotes = (remote.length > 0 ? remote : others).map(ep);
    if (direction === 'outgoing') return { from: owner, to: remotes };
    if (direction === 'incoming') return { from: remotes[0], to: [owner] };
    this.warn(`${locator}: neither party roles nor a direction say who called whom; skipped`);
    return null;
  }

  private textMessage(n: ModelNode, kind: 'sms' | 'mms'): void {
    const dev = this.ensureDevice();
    const locator = modelLocator(n);
    const t = this.time(n, 'TimeStamp', locator);
    if (!t) return;
    const folder = (field(n, 'Folder') ?? '').toLowerCase();
    const dirText = (field(n, 'Direction') ?? field(n, 'Type') ?? '').toLowerCase();
    let direction: 'incoming' | 'outgoing' | undefined;
    if (/^(incoming|received|deliver)/.test(dirText) || folder === 'inbox') direction = 'incoming';
    else if (/^(outgoing|sent|submit)/.test(dirText) || /^(sent|outbox)/.test(folder)) direction = 'outgoing';
    const app = field(n, 'Source') || undefined;
    const ends = this.ends(n.many.get('parties') ?? [], direction, app, locator, dev.ownerPhoneId);
    if (!ends) return;
    const props: Props = {};
    if (direction) props.direction = direction;
    const status = field(n, 'Status');
    if (status) props.status = status.toLowerCase().slice(0, 40);
    if (app) props.app = app;
    const body = this.body(field(n, 'Body'), locator);
    if (body !== undefined) props.body = body;
    if (t.zoneAssumed) props.zoneAssumed = t.zoneAssumed;
    for (const to of ends.to) {
      if (to === ends.from) continue;
      this.b.event('MESSAGED', ends.from, to, { kind, at: t.at, deleted: n.deleted, original: t.original, props, locator });
    }
  }

  /** One InstantMessage: From (a Party model field), To (Party list), else the chat's other participants. */
  private chatMessage(m: ModelNode, chat: ModelNode | null, locator: string): void {
    const dev = this.ensureDevice();
    const t = this.time(m, 'TimeStamp', locator);
    if (!t) return;
    const app = field(m, 'Source') || (chat && field(chat, 'Source')) || undefined;
    const fromNode = m.one.get('from');
    const fromParty = fromNode ? partyOf(fromNode) : undefined;
    const toParties = (m.many.get('to') ?? []).map(partyOf);
    const participants = chat ? (chat.many.get('participants') ?? []).map(partyOf) : [];
    const outgoing = /^(outgoing|sent)/i.test(field(m, 'Direction') ?? field(m, 'Type') ?? '') || truthy(field(m, 'IsFromOwner'));
    let from: string;
    if (fromParty && (fromParty.identifier || fromParty.isOwner)) from = this.endpoint(fromParty, app, locator);
    else if (outgoing) from = dev.ownerPhoneId;
    else {
      this.warn(`${locator}: message has no sender; skipped`);
      return;
    }
    let to: string[];
    if (toParties.length > 0) to = toParties.map((p) => this.endpoint(p, app, locator));
    else {
      const fromId = fromParty?.identifier.trim().toLowerCase();
      const rest = participants.filter((p) => !(fromId && p.identifier.trim().toLowerCase() === fromId) && !(fromParty?.isOwner && p.isOwner));
      const chatId = chat ? field(chat, 'Id') ?? field(chat, 'ChatId') : undefined;
      if (rest.length > 1 && chatId && WA_OTHER.test(chatId)) to = [this.endpoint({ identifier: chatId, role: 'to', isOwner: false, name: chat ? field(chat, 'Name') : undefined }, app, locator)];
      else if (rest.length > 0) to = rest.slice(0, 50).map((p) => this.endpoint(p, app, locator));
      else if (from !== dev.ownerPhoneId) to = [dev.ownerPhoneId];
      else {
        this.warn(`${locator}: message has no recipient; skipped`);
        return;
      }
    }
    const props: Props = {};
    if (app) props.app = app;
    const body = this.body(field(m, 'Body'), locator);
    if (body !== undefined) props.body = body;
    const chatName = chat ? field(chat, 'Name') : undefined;
    if (chatName) props.chat = chatName.slice(0, 200);
    if (t.zoneAssumed) props.zoneAssumed = t.zoneAssumed;
    const deleted = m.deleted || (chat?.deleted ?? false);
    for (const end of to) {
      if (end === from) continue;
      this.b.event('MESSAGED', from, end, { kind: 'chat', at: t.at, deleted, original: t.original, props, locator });
    }
  }
}
