// A set of our hashed ids (`<prefix>_<24 hex>`, see ids.ts) in flat typed arrays: 13 bytes a slot instead of
// ~90 for a string in a JS Set. An import remembers every link it has handed to the store (hundreds of
// thousands in a large CDR), and that memory is what this keeps small. Ids of any other shape go to a
// plain Set beside it, so membership is exact either way.
const HEX_ID = /^[a-z]+_[0-9a-f]{24}$/;

export class HashIdSet {
  private words: Uint32Array;
  private used: Uint8Array;
  private prefixes: string[] = [];
  private prefixOf: Uint8Array;
  private count = 0;
  private readonly other = new Set<string>();

  constructor(capacity = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.words = new Uint32Array(slots * 3);
    this.used = new Uint8Array(slots);
    this.prefixOf = new Uint8Array(slots);
  }

  get size(): number {
    return this.count + this.other.size;
  }

  has(id: string): boolean {
    const k = this.key(id);
    return k ? this.find(k[0], k[1], k[2], k[3]) >= 0 : this.other.has(id);
  }

  add(id: string): void {
    const k = this.key(id);
    if (!k) {
      this.other.add(id);
      return;
    }
    if (this.find(k[0], k[1], k[2], k[3]) >= 0) return;
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    this.place(k[0], k[1], k[2], k[3]);
    this.count++;
  }

  clear(): void {
    this.words.fill(0);
    this.used.fill(0);
    this.count = 0;
    this.other.clear();
  }

  /** [w0, w1, w2, prefix index] for a hashed id; null for any other shape (or past 255 prefixes). */
  private key(id: string): [number, number, number, number] | null {
    if (!HEX_ID.test(id)) return null;
    const cut = id.length - 25;
    const prefix = id.slice(0, cut);
    let p = this.prefixes.indexOf(prefix);
    if (p < 0) {
      if (this.prefixes.length >= 255) return null;
      p = this.prefixes.push(prefix) - 1;
    }
    const h = cut + 1;
    return [parseInt(id.slice(h, h + 8), 16), parseInt(id.slice(h + 8, h + 16), 16), parseInt(id.slice(h + 16, h + 24), 16), p];
  }

  /** Linear probing from the first word (already a uniform hash: these ids are SHA-256 prefixes). */
  private find(a: number, b: number, c: number, p: number): number {
    const mask = this.used.length - 1;
    for (let i = a & mask; this.used[i]; i = (i + 1) & mask) {
      const o = i * 3;
      if (this.words[o] === a && this.words[o + 1] === b && this.words[o + 2] === c && this.prefixOf[i] === p) return i;
    }
    return -1;
  }

  private place(a: number, b: number, c: number, p: number): void {
    const mask = this.used.length - 1;
    let i = a & mask;
    while (this.used[i]) i = (i + 1) & mask;
    this.used[i] = 1;
    this.prefixOf[i] = p;
    const o = i * 3;
    this.words[o] = a;
    this.words[o + 1] = b;
    this.words[o + 2] = c;
  }

  private grow(): void {
    const { words, used, prefixOf } = this;
    this.words = new Uint32Array(words.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.prefixOf = new Uint8Array(used.length * 2);
    for (let i = 0; i < used.length; i++) if (used[i]) this.place(words[i * 3], words[i * 3 + 1], words[i * 3 + 2], prefixOf[i]);
  }
}
