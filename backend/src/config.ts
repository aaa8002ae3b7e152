// Typed configuration from the environment, validated once at start-up. Each variable has a doc line;
// a bad value stops the program with the variable's name and what was wrong.
import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export const ENV_DOCS = {
  PORT: 'HTTP port of the API and explorer (default 8080)',
  HOST: 'interface to bind; loopback by default so a case is not exposed on the network (default 127.0.0.1)',
  CASEGRAPH_DATA: 'data directory of the embedded store and the install secret (default ./data)',
  STORE: 'graph store: embedded (default, zero setup) or neo4j',
  NEO4J_URI: 'Neo4j URI (bolt://, neo4j://, neo4j+s://…) when STORE=neo4j',
  NEO4J_USER: 'Neo4j user (default neo4j)',
  NEO4J_PASSWORD: 'Neo4j password',
  NEO4J_DATABASE: 'Neo4j database name (default neo4j)',
  CASEGRAPH_SECRET: 'install secret for keyed hashes of card numbers; default: generated once into $CASEGRAPH_DATA/secret.key',
  CASEGRAPH_REGION: 'default region (ISO 3166 alpha-2) for phone numbers written without a country code (default PE)',
  CASEGRAPH_SEED: 'load the bundled Lima case on start (default 1)',
  CASEGRAPH_MAX_UPLOAD_MB: 'largest upload the API accepts, in MiB (default 2048)',
  CASEGRAPH_ADMIN_PASSWORD: 'password of the admin user created on first start (default: a random one, printed once)',
  CASEGRAPH_TRUST_PROXY: "express 'trust proxy' when behind a TLS proxy (e.g. loopback or 1), so session cookies are marked Secure (default off)",
  CASEGRAPH_SESSION_HOURS: 'a session ends after this many idle hours (default 12; at most 7 days after sign-in)',
  LOG_LEVEL: 'error | warn | info | debug (default info)',
} as const;

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  CASEGRAPH_DATA: z.string().min(1).default('./data'),
  STORE: z.enum(['embedded', 'neo4j']).default('embedded'),
  NEO4J_URI: z.string().regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/, 'must be a bolt:// or neo4j:// URI').default('bolt://127.0.0.1:7687'),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  NEO4J_DATABASE: z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,62}$/, 'is not a valid database name').default('neo4j'),
  CASEGRAPH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  CASEGRAPH_REGION: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code like PE or MY').default('PE'),
  CASEGRAPH_SEED: bool.default(true),
  CASEGRAPH_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(65536).default(2048),
  CASEGRAPH_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
  CASEGRAPH_TRUST_PROXY: z.string().max(200).optional(),
  CASEGRAPH_SESSION_HOURS: z.coerce.number().min(0.05).max(168).default(12),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});
export type Env = z.infer<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: 'embedded' | 'neo4j';
  neo4j: { uri: string; user: string; password: string; database: string };
  secret?: string;
  region: string;
  seed: boolean;
  maxUploadBytes: number;
  adminPassword?: string;
  trustProxy?: string | number | boolean;
  sessionIdleMs: number;
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(ENV_DOCS).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = ConfigSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (${ENV_DOCS[i.path[0] as keyof typeof ENV_DOCS] ?? ''})`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  return {
    port: e.PORT, host: e.HOST, dataDir: e.CASEGRAPH_DATA, store: e.STORE,
    neo4j: { uri: e.NEO4J_URI, user: e.NEO4J_USER, password: e.NEO4J_PASSWORD, database: e.NEO4J_DATABASE },
    secret: e.CASEGRAPH_SECRET, region: e.CASEGRAPH_REGION, seed: e.CASEGRAPH_SEED,
    maxUploadBytes: e.CASEGRAPH_MAX_UPLOAD_MB * 1024 * 1024, logLevel: e.LOG_LEVEL,
    adminPassword: e.CASEGRAPH_ADMIN_PASSWORD, trustProxy: trustProxy(e.CASEGRAPH_TRUST_PROXY), sessionIdleMs: e.CASEGRAPH_SESSION_HOURS * 3600_000,
  };
}

/** express's `trust proxy` from text: true/false, a hop count, or addresses/subnets as given. */
function trustProxy(v: string | undefined): string | number | boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  return /^\d+$/.test(v) ? Number(v) : v;
}
