// vCard address books (.vcf): an export with no device identity, modelled as one "Address book" device
// node that HAS_CONTACT each number and e-mail address, with the saved name on the link.
//
// Fails (import_failed, `line N`, nothing written): a nested BEGIN:VCARD (2.1 AGENT cards included), an
// END:VCARD without BEGIN, a BEGIN/END of another block, no card at all, a file over maxTextFileBytes.
// Warns and skips: a TEL without a value, an EMAIL that is not an address, a line without a colon, text
// outside a card, an unknown CHARSET (read as UTF-8). Warns and keeps: a last card without END:VCARD.
import { readFile } from 'node:fs/promises';
import { importError } from '../../errors.ts';
import { BatchBuilder, ModelError, type BatchChunk, type Props } from '../../model/index.ts';
import { addDevice } from '../shared/device.ts';
import { clipText, endpoint, isEmailAddress } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import type { ImportContext, Importer, ImportInput } from '../types.ts';
import { looksLikeVcard, readVcards, splitStructured, unescapeText, type VcardCard, type VcardProperty } from './vcard.parser.ts';

const USED = new Set(['FN', 'N', 'ORG', 'NICKNAME', 'TEL', 'EMAIL', 'X-ABLABEL', 'NOTE']);

/** TYPE values that name a kind of number; VOICE, PREF, INTERNET and the like say nothing an investigator needs. */
const TYPE_LABELS: Record<string, string> = {
  cell: 'Mobile', mobile: 'Mobile', home: 'Home', work: 'Work', fax: 'Fax', pager: 'Pager', main: 'Main', iphone: 'iPhone',
  car: 'Car', video: 'Video', text: 'Text', textphone: 'Textphone', msg: 'Message', other: 'Other', isdn: 'ISDN', bbs: 'BBS', modem: 'Modem',
};

export const vcardImporter: Importer = {
  format: 'vcard',
  description: 'vCard address book (.vcf; vCard 2.1, 3.0, 4.0)',
  detect(head) {
    return looksLikeVcard(head);
  },
  async parse(input, ctx) {
    if (input.size > LIMITS.maxTextFileBytes) {
      throw importError(input.name, '', `vCard files are limited to ${LIMITS.maxTextFileBytes / 1024 / 1024} MiB`);
    }
    const b = new BatchBuilder({ sha256: input.sha256, kind: 'vcard', name: input.name, case: ctx.case ?? ctx.defaultCase, importedBy: ctx.importedBy });
    return { source: b.source, chunks: readChunks(b, input, ctx) };
  },
};

async function* readChunks(b: BatchBuilder, input: ImportInput, ctx: ImportContext): AsyncGenerator<BatchChunk> {
  const bytes = await readFile(input.path);
  const book = addDevice(b, { name: `Address book ${input.name}`, props: { kind: 'address book export' }, locator: 'file' }, ctx.defaultRegion);
  const warn = (w: { line: number; message: string }) => b.warn(`${input.name} line ${w.line}: ${w.message}`);
  for (const card of readVcards(input.name, bytes, warn, USED)) {
    addCard(b, input, card, book.deviceId, book.region);
    if (b.pending >= LIMITS.chunkRecords) yield b.flush();
  }
  yield b.flush();
}

/** The name a card is saved under: FN, else N (given additional family), else ORG, else NICKNAME. */
export function cardName(card: VcardCard): string {
  const first = (n: string) => card.props.find((p) => p.name === n);
  const fn = first('FN') && unescapeText(first('FN')!.raw).trim();
  if (fn) return fn;
  const n = first('N');
  if (n) {
    const [family = '', given = '', additional = '', prefix = '', suffix = ''] = splitStructured(n.raw);
    const joined = [prefix, given, additional, family, suffix].map((s) => s.trim()).filter(Boolean).join(' ');
    if (joined) return joined;
  }
  const org = first('ORG') && splitStructured(first('ORG')!.raw)[0]?.trim();
  if (org) return org;
  return (first('NICKNAME') && unescapeText(first('NICKNAME')!.raw).split(',')[0]?.trim()) || '';
}

/** A label for a TEL or EMAIL: the Apple group label (`item1.X-ABLabel`) wins, then the TYPE values. */
function labelOf(p: VcardProperty, card: VcardCard): string | undefined {
  if (p.group) {
    const ab = card.props.find((q) => q.name === 'X-ABLABEL' && q.group === p.group);
    if (ab) {
      const raw = unescapeText(ab.raw).trim();
      const m = /^_\$!<(.*)>!\$_$/.exec(raw);
      const label = (m ? m[1] : raw).slice(0, 100);
      if (label) return label;
    }
  }
  for (const t of p.params.get('TYPE') ?? []) {
    const label = TYPE_LABELS[t.toLowerCase()];
    if (label) return label;
  }
  return undefined;
}

/** The number in a TEL value: `tel:` URIs (4.0, VALUE=uri) lose the scheme and URI parameters like `;ext=`. */
export function telNumber(p: VcardProperty): string {
  const v = p.raw.trim();
  if (/^tel:/i.test(v) || p.params.get('VALUE')?.[0]?.toLowerCase() === 'uri') {
    return decodeURIComponentSafe(v.replace(/^tel:/i, '').split(';')[0]);
  }
  return unescapeText(v);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function addCard(b: BatchBuilder, input: ImportInput, card: VcardCard, deviceId: string, region: string): void {
  const name = cardName(card).slice(0, 500);
  const org = card.props.find((p) => p.name === 'ORG');
  const base: Props = {};
  if (name) base.name = name;
  if (org) {
    const o = splitStructured(org.raw).filter((s) => s.trim()).join(', ').slice(0, 500);
    if (o && o !== name) base.organization = o;
  }
  const note = card.props.filter((p) => p.name === 'NOTE').map((p) => unescapeText(p.raw).trim()).filter(Boolean).join('\n');
  if (note) base.note = clipText(b, note, `${input.name} line ${card.line}`);
  let entries = 0;
  for (const p of card.props) {
    if (p.name !== 'TEL' && p.name !== 'EMAIL') continue;
    const locator = `line ${p.line}`;
    const label = labelOf(p, card);
    const props: Props = label ? { ...base, label } : { ...base };
    try {
      if (p.name === 'TEL') {
        const number = telNumber(p).trim();
        if (!number) {
          b.warn(`${input.name} ${locator}: TEL without a value; skipped`);
          continue;
        }
        const id = endpoint(b, number, { region, locator, scope: `${input.sha256}:${locator}`, aliases: name ? [name] : undefined });
        b.link('HAS_CONTACT', deviceId, id, locator, props);
      } else {
        const address = unescapeText(p.raw).trim().replace(/^mailto:/i, '');
        if (!isEmailAddress(address)) {
          b.warn(`${input.name} ${locator}: EMAIL "${address.slice(0, 80)}" is not an e-mail address; skipped`);
          continue;
        }
        const id = b.entity('Email', { label: address, props: { address: address.toLowerCase() }, aliases: name ? [name] : undefined, locator });
        b.link('HAS_CONTACT', deviceId, id, locator, props);
      }
      entries++;
    } catch (err) {
      if (err instanceof ModelError) throw importError(input.name, locator, err.message);
      throw err;
    }
  }
  if (entries === 0) b.warn(`${input.name} line ${card.line}: card${name ? ` "${name.slice(0, 80)}"` : ''} has no number or e-mail address; nothing to link`);
}
