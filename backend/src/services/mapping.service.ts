// Saved CDR column mappings: one validated JSON file per name under `<dataDir>/mappings/`, written
// atomically (temp file + rename) so a crash never leaves half a mapping. Names double as file names,
// so they are checked against a strict alphabet and compared case-insensitively.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { CdrMapping, MAPPING_NAME_RE, type CdrMappingInput } from '../importers/cdr/cdr.mapping.ts';

export type SavedMapping = CdrMapping & { name: string };

const SUFFIX = '.json';
const MAX_FILE_BYTES = 256 * 1024;

export class MappingService {
  /** `dir` is the mappings directory itself, normally `join(config.dataDir, 'mappings')`; created on first save. */
  constructor(private readonly dir: string) {}

  /** Every saved mapping, sorted by name. Unreadable or invalid files are skipped (and named in `skipped`). */
  async list(): Promise<{ mappings: SavedMapping[]; skipped: string[] }> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mappings: [], skipped: [] };
      throw err;
    }
    const mappings: SavedMapping[] = [];
    const skipped: string[] = [];
    for (const f of files.sort()) {
      if (f.startsWith('.') || !f.endsWith(SUFFIX)) continue;
      try {
        mappings.push(await this.readFileAt(join(this.dir, f)));
      } catch {
        skipped.push(f);
      }
    }
    mappings.sort((a, b) => a.name.localeCompare(b.name));
    return { mappings, skipped };
  }

  /** The saved mapping `name`; AppError not_found when there is none. */
  async get(name: string): Promise<SavedMapping> {
    const path = this.pathOf(name);
    try {
      return await this.readFileAt(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `no saved mapping named "${name}"`);
      if (err instanceof AppError) throw err;
      throw new AppError('internal', `saved mapping "${name}" cannot be read`);
    }
  }

  /** Validates and saves (replacing any mapping of the same name, whatever its case); returns what was stored. */
  async save(name: string, mapping: CdrMappingInput | CdrMapping): Promise<SavedMapping> {
    const path = this.pathOf(name);
    const parsed = CdrMapping.safeParse({ ...(mapping as object), name });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('bad_request', `mapping ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`, {
        issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      });
    }
    const saved = { ...parsed.data, name } as SavedMapping;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${randomUUID()}.tmp`);
    try {
      await writeFile(tmp, `${JSON.stringify(saved, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return saved;
  }

  /** Removes the mapping; AppError not_found when there is none. */
  async delete(name: string): Promise<void> {
    const path = this.pathOf(name);
    try {
      await rm(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `no saved mapping named "${name}"`);
      throw err;
    }
  }

  /** The file of a name: lower-cased (names are case-insensitive), spaces as `+`; the alphabet leaves no path tricks. */
  private pathOf(name: string): string {
    if (typeof name !== 'string' || !MAPPING_NAME_RE.test(name)) {
      throw new AppError('bad_request', 'a mapping name is 1–64 of A–Z a–z 0–9 space _ . - and does not start or end with a dot or space');
    }
    return join(this.dir, `${name.toLowerCase().replace(/ /g, '+')}${SUFFIX}`);
  }

  private async readFileAt(path: string): Promise<SavedMapping> {
    const text = await readFile(path, 'utf8');
    if (text.length > MAX_FILE_BYTES) throw new Error('mapping file too large');
    const parsed = CdrMapping.parse(JSON.parse(text));
    if (!parsed.name) throw new Error('mapping file has no name');
    return parsed as SavedMapping;
  }
}
