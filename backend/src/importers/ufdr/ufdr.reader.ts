// Turns the SAX events of a Cellebrite report.xml into small model trees. Only one top-level model is
// held at a time (plus its nested models); long lists such as a chat's Messages can be handed over child
// by child so memory does not grow with the report.
import { LIMITS } from '../shared/limits.ts';
import type { XmlHandlers } from '../shared/xml.ts';

/** A `<model>` with its fields; all names are lower-cased (Cellebrite's casing varies between versions). */
export interface ModelNode {
  type: string;
  id?: string;
  deleted: boolean;
  /** XML path of the model element, for locators when it has no id */
  path: string;
  fields: Map<string, string>;
  multi: Map<string, string[]>;
  one: Map<string, ModelNode>;
  many: Map<string, ModelNode[]>;
}

export interface UfdrSink {
  project(attrs: Record<string, string>): void;
  extraction(attrs: Record<string, string>): void;
  /** an `<item>` of a `<metadata section="Device Info">` block */
  deviceInfo(name: string, value: string): void;
  decodedData(): void;
  /** a complete top-level model */
  model(node: ModelNode): void;
  /**
   * A nested model of a multiModelField just closed while its owner is still open. Return true when
   * consumed (it is then not kept on the owner), e.g. each message of a chat.
   */
  child(owner: ModelNode, list: string, child: ModelNode, index: number): boolean;
  warn(message: string): void;
}

/** Most entries kept in one list of a model (participants, entries); more are dropped with a warning. */
export const MAX_LIST_ITEMS = 10_000;

interface TextAcc {
  parts: string[];
  len: number;
  cap: number;
}

type Frame =
  | { k: 'other' }
  | { k: 'metadata'; device: boolean }
  | { k: 'item'; name: string; acc: TextAcc | null }
  | { k: 'model'; node: ModelNode; owner?: { node: ModelNode; name: string; many: boolean; frame: MfFrame } }
  | { k: 'field'; owner: ModelNode; name: string; multi: boolean; base64: boolean; values: string[]; acc: TextAcc }
  | { k: 'value'; field: FieldFrame; base64: boolean; acc: TextAcc }
  | MfFrame;
type FieldFrame = Extract<Frame, { k: 'field' }>;
interface MfFrame { k: 'mf'; owner: ModelNode; name: string; many: boolean; count: number; dropped: number }

const BASE64_CAP = LIMITS.maxTextChars * 6;

function acc(cap: number): TextAcc {
  return { parts: [], len: 0, cap };
}
function add(a: TextAcc, t: string): void {
  if (a.len > a.cap) return;
  const room = a.cap + 1 - a.len;
  const piece = t.length > room ? t.slice(0, room) : t;
  a.parts.push(piece);
  a.len += piece.length;
}
function textOf(a: TextAcc, base64: boolean): string {
  const s = a.parts.length === 1 ? a.parts[0] : a.parts.join('');
  if (!base64) return s;
  return Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8');
}

export class UfdrReader implements XmlHandlers {
  private readonly stack: Frame[] = [];
  private depthDecoded = 0;
  private root = true;

  constructor(
    private readonly sink: UfdrSink,
    private readonly onRoot: (name: string) => void,
    private readonly pathOf: () => string,
  ) {}

  open(name: string, attrs: Record<string, string>): void {
    const top = this.stack[this.stack.length - 1];
    if (this.root) {
      this.root = false;
      this.onRoot(name);
      this.sink.project(attrs);
      this.stack.push({ k: 'other' });
      return;
    }
    if (this.depthDecoded > 0) this.depthDecoded++;
    switch (name) {
      case 'decodedData':
        if (this.depthDecoded === 0) {
          this.depthDecoded = 1;
          this.sink.decodedData();
        }
        break;
      case 'extractionInfo':
        this.sink.extraction(attrs);
        break;
      case 'metadata':
        this.stack.push({ k: 'metadata', device: /^device\s*info$/i.test(attrs.section ?? '') });
        return;
      case 'item':
        if (top?.k === 'metadata') {
          this.stack.push({ k: 'item', name: attrs.name ?? '', acc: top.device ? acc(4096) : null });
          return;
        }
        break;
      case 'model':
        if (this.depthDecoded > 0) {
          const node: ModelNode = {
            type: attrs.type ?? 'Unknown', id: attrs.id || undefined, deleted: /^deleted$/i.test(attrs.deleted_state ?? ''), path: attrs.id ? '' : this.pathOf(),
            fields: new Map(), multi: new Map(), one: new Map(), many: new Map(),
          };
          if (top?.k === 'mf') this.stack.push({ k: 'model', node, owner: { node: top.owner, name: top.name, many: top.many, frame: top } });
          else this.stack.push({ k: 'model', node });
          return;
        }
        break;
      case 'field':
      case 'multiField':
        if (top?.k === 'model') {
          const base64 = /base64/i.test(attrs.format ?? '');
          this.stack.push({ k: 'field', owner: top.node, name: (attrs.name ?? '').toLowerCase(), multi: name === 'multiField', base64, values: [], acc: acc(base64 ? BASE64_CAP : LIMITS.maxTextChars) });
          return;
        }
        break;
      case 'value':
        if (top?.k === 'field') {
          const base64 = top.base64 || /base64/i.test(attrs.format ?? '');
          this.stack.push({ k: 'value', field: top, base64, acc: acc(base64 ? BASE64_CAP : LIMITS.maxTextChars) });
          return;
        }
        break;
      case 'modelField':
      case 'multiModelField':
        if (top?.k === 'model') {
          this.stack.push({ k: 'mf', owner: top.node, name: (attrs.name ?? '').toLowerCase(), many: name === 'multiModelField', count: 0, dropped: 0 });
          return;
        }
        break;
    }
    this.stack.push({ k: 'other' });
  }

  text(t: string): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) return;
    if (top.k === 'value' || top.k === 'field') add(top.acc, t);
    else if (top.k === 'item' && top.acc) add(top.acc, t);
  }

  close(name: string): void {
    const f = this.stack.pop();
    if (this.depthDecoded > 0) this.depthDecoded--;
    if (!f) return;
    switch (f.k) {
      case 'value':
        f.field.values.push(textOf(f.acc, f.base64).trim());
        break;
      case 'field': {
        if (f.values.length === 0 && f.acc.len > 0) {
          const direct = textOf(f.acc, f.base64).trim();
          if (direct) f.values.push(direct);
        }
        const values = f.values.filter((v) => v !== '');
        if (f.multi) f.owner.multi.set(f.name, values);
        else if (values.length > 0 && !f.owner.fields.has(f.name)) f.owner.fields.set(f.name, values[0]);
        break;
      }
      case 'item':
        if (f.acc) this.sink.deviceInfo(f.name, textOf(f.acc, false).trim());
        break;
      case 'mf':
        if (f.dropped > 0) this.sink.warn(`${f.owner.type}${f.owner.id ? `[@id="${f.owner.id}"]` : ''}: ${f.dropped} entries of ${f.name} beyond ${MAX_LIST_ITEMS} were not read`);
        break;
      case 'model': {
        const o = f.owner;
        if (!o) {
          this.sink.model(f.node);
        } else if (!o.many) {
          if (!o.node.one.has(o.name)) o.node.one.set(o.name, f.node);
        } else {
          const index = ++o.frame.count;
          if (!this.sink.child(o.node, o.name, f.node, index)) {
            const list = o.node.many.get(o.name);
            if (!list) o.node.many.set(o.name, [f.node]);
            else if (list.length < MAX_LIST_ITEMS) list.push(f.node);
            else o.frame.dropped++;
          }
        }
        break;
      }
      default:
        void name;
    }
  }
}
