// Per-case access for the routes that write, analyse and export (the graph reads have their own). A user
// acts only within the cases granted to them; an admin ('all') is never checked and pays nothing for it.
// Writing into an ungranted case is refused (403: the user names the case they want to write into);
// reading from one answers like a case that does not exist (404), so case names cannot be probed.
import { seesCase, type CaseAccess } from '../auth/access.ts';
import { AppError } from '../errors.ts';
import type { GraphStore } from '../storage/port.ts';

/** Refuses (403 forbidden) to write into a case the user is not granted. */
export function requireWritableCase(access: CaseAccess, caseName: string): void {
  if (!seesCase(access, caseName)) throw new AppError('forbidden', `you may not write into case "${caseName}": it is not one of your cases`);
}

/** A case the user is not granted answers as a case that does not exist (404 not_found). */
export function requireVisibleCase(access: CaseAccess, caseName: string): void {
  if (!seesCase(access, caseName)) throw new AppError('not_found', `no case named "${caseName}"`);
}

/** The ids (entities or links) a source of one of the user's cases asserts; all of them for an admin. */
export async function visibleSet(store: GraphStore, access: CaseAccess, ids: string[]): Promise<Set<string> | null> {
  if (access === 'all') return null;
  if (!ids.length || !access.size) return new Set();
  return store.visibleIn([...new Set(ids)], [...access]);
}

/** `ids` without those the user may not see (order kept); unchanged for an admin. */
export async function visibleOnly(store: GraphStore, access: CaseAccess, ids: string[]): Promise<string[]> {
  const seen = await visibleSet(store, access, ids);
  return seen ? ids.filter((id) => seen.has(id)) : ids;
}

/** Refuses (404, as for a missing entity) when one of `ids` is invisible to the user. */
export async function requireVisibleIds(store: GraphStore, access: CaseAccess, ids: string[]): Promise<void> {
  const seen = await visibleSet(store, access, ids);
  const hidden = seen && ids.find((id) => !seen.has(id));
  if (hidden) throw new AppError('not_found', `no entity with id ${hidden}`);
}
