// Runs a piece of work and records it in the audit trail however it ends (the CLI and the seed loader
// use this; HTTP routes declare `audit` and the router does the same).
import { AppError } from '../errors.ts';
import type { AuditInput, AuditOutcome } from './auth.store.ts';

/** How a failure reads in the audit trail: refused (access) or failed, with the error's code and message. */
export function failureOf(err: unknown): { outcome: AuditOutcome; details: { error: string; message: string } } {
  const code = err instanceof AppError ? err.code : 'internal';
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: code === 'forbidden' || code === 'unauthorized' ? 'refused' : 'failed', details: { error: code, message: message.slice(0, 500) } };
}

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
    const failure = failureOf(err);
    record({ ...entry, outcome: failure.outcome, details: { ...entry.details, ...failure.details } });
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
