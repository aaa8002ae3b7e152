// Maps driver failures to Casegraph errors a person can act on: unreachable server, refused credentials,
// missing database. Everything becomes AppError('store_unavailable') with the URI (never the password).
import { AppError } from '../../errors.ts';

export interface Neo4jTarget {
  uri: string;
  user: string;
  database: string;
}

/** Driver codes (Neo4jError.code) for "could not talk to the server at all". */
const UNREACHABLE = new Set(['ServiceUnavailable', 'SessionExpired', 'Neo.TransientError.General.DatabaseUnavailable']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The innermost cause the driver reports ("connect ECONNREFUSED 127.0.0.1:7687"), else its first sentence. */
export function failureReason(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m) messages.push(m);
  }
  for (const m of messages.reverse()) {
    const caused = /Caused by: (.+)$/s.exec(m);
    if (caused) return caused[1].trim();
  }
  const first = messages.at(-1) ?? String(err);
  return first.split(/(?<=\.)\s/)[0].trim();
}

/** True for failures that mean the server could not be reached (as opposed to a refused query). */
export function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  if (code && UNREACHABLE.has(code)) return true;
  const sys = (err as { code?: unknown } | null)?.code;
  return typeof sys === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/.test(sys);
}

/** A driver failure as the AppError Casegraph shows; AppErrors pass through unchanged. */
export function neo4jFailure(err: unknown, t: Neo4jTarget): AppError {
  if (err instanceof AppError) return err;
  const code = codeOf(err);
  const details = { neo4jCode: code, uri: t.uri, database: t.database };
  switch (code) {
    case 'Neo.ClientError.Security.Unauthorized':
      return new AppError('store_unavailable', `Neo4j refused the credentials for user ${t.user} at ${t.uri}`, details);
    case 'Neo.ClientError.Security.AuthenticationRateLimit':
      return new AppError('store_unavailable', `Neo4j locked out user ${t.user} at ${t.uri} after too many failed logins; wait and try again`, details);
    case 'Neo.ClientError.Security.CredentialsExpired':
      return new AppError('store_unavailable', `Neo4j wants a new password for user ${t.user} at ${t.uri} before it serves queries (set it with cypher-shell or Neo4j Browser)`, details);
    case 'Neo.ClientError.Security.Forbidden':
      return new AppError('store_unavailable', `Neo4j user ${t.user} may not do this on database ${t.database} at ${t.uri}: ${failureReason(err)}`, details);
    case 'Neo.ClientError.Database.DatabaseNotFound':
      return new AppError('store_unavailable', `Neo4j at ${t.uri} has no database "${t.database}" (NEO4J_DATABASE)`, details);
    default:
      if (isUnreachable(err)) return new AppError('store_unavailable', `Neo4j unreachable at ${t.uri}: ${failureReason(err)}`, details);
      return new AppError('store_unavailable', `Neo4j at ${t.uri} failed${code ? ` (${code})` : ''}: ${failureReason(err)}`, details);
  }
}
