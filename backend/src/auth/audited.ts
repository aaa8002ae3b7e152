// Runs a piece of work and records it in the audit trail however it ends (the CLI and the seed loader
// use this; HTTP routes declare `audit` and the router does the same).
import { AppError } from '../errors.ts';
import type { AuditInput } from './auth.store.ts';

export async function audited<T>(
  record: (e: AuditInput) => void,
  entry: Omit<AuditInput, 'outcome'>,
  work: () => Promise<T>,
  describe: (out: T) => Partial<Omit<AuditInput, 'actor' | 'action'>> = () => ({}),
): Promise<T> {
  let out: T;
  try {
    out = await work();
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'internal';
    record({ ...entry, outcome: code === 'forbidden' ? 'refused' : 'failed', details: { ...entry.details, error: code, message: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500) } });
    throw err;
  }
  const d = describe(out);
  record({ ...entry, ...d, details: { ...entry.details, ...d.details } });
  return out;
}

/** Who the CLI acts as in the audit trail: the operating-system user, marked as a CLI session. */
export function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`;
}
