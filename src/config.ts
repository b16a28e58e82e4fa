import { z } from 'zod';

/**
 * The one place environment variables are read. Development and test get working defaults;
 * production must say everything explicitly, and a bad start lists every problem at once.
 */

// Data stays in India: the security page promises it, so a foreign region is a start-up error.
export const INDIAN_AWS_REGIONS = ['ap-south-1', 'ap-south-2'] as const;

const DEV_SESSION_SECRET = 'dev:development-only-session-secret-0123456789abcdef';
const DEV_PEPPER = 'development-only-password-pepper-0123456789';
const DEV_SECRETS: readonly string[] = [DEV_SESSION_SECRET.slice(DEV_SESSION_SECRET.indexOf(':') + 1), DEV_PEPPER];

/**
 * Shannon entropy of the secret's own characters, times its length: a rough lower bound an operator
 * cannot argue with. 32 × `a` scores 0 and `abab…` 32; a random 32-character hex string scores about
 * 115 and base64 of 32 random bytes about 220. It does not prove a secret random, only that it is not
 * obviously guessable, which is what a start-up check can know.
 */
export function estimatedSecretBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / secret.length) * Math.log2(n / secret.length);
  return bitsPerChar * secret.length;
}

// Set so that a random 16-byte hex secret (`openssl rand -hex 16`, the shortest a sane operator
// makes) always passes: its score never fell below 90 in a million draws.
const SECRET_RULE = { minBits: 80, minDistinct: 6 } as const;
const GENERATE_HINT = 'generate one with `openssl rand -base64 48`';

/** Why a production secret must not be used, or undefined when it passes. */
function weakSecretReason(secret: string): string | undefined {
  if (DEV_SECRETS.includes(secret)) return `is the development value written in src/config.ts; ${GENERATE_HINT}`;
  if (new Set(secret).size < SECRET_RULE.minDistinct || estimatedSecretBits(secret) < SECRET_RULE.minBits) {
    return `looks guessable (too little variety in its characters); ${GENERATE_HINT}`;
  }
  return undefined;
}

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

/** `kid:secret,kid:secret`: the first key signs, the rest still verify (rotation). */
const sessionSecrets = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const keys: { kid: string; secret: string }[] = [];
      for (const part of raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const colon = part.indexOf(':');
        const kid = colon > 0 ? part.slice(0, colon) : '';
        const secret = colon > 0 ? part.slice(colon + 1) : '';
        if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid) || secret.length < 32) {
          ctx.addIssue({
            code: 'custom',
            message: 'each entry must be kid:secret with a kid of letters/digits and a secret of at least 32 characters',
          });
          return z.NEVER;
        }
        keys.push({ kid, secret });
      }
      if (keys.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'at least one kid:secret entry is required' });
        return z.NEVER;
      }
      return keys;
    }),
);

/**
 * Which peers may set X-Forwarded-For/-Proto. `true` would let any client forge its address and
 * bypass login blocks, so only addresses/CIDRs or a hop count are accepted.
 */
const trustProxy = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((raw, ctx): string | number | false => {
      if (raw === undefined || raw === 'false') return false;
      if (raw === 'true') {
        ctx.addIssue({ code: 'custom', message: 'must name the proxy addresses (e.g. 10.0.0.0/16) or a hop count, not "true"' });
        return z.NEVER;
      }
      if (/^\d+$/.test(raw)) return Number(raw);
      const entries = raw.split(',').map((s) => s.trim());
      const valid = entries.every((e) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(e));
      if (!valid) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of IP addresses or CIDR ranges' });
        return z.NEVER;
      }
      return entries.join(',');
    }),
);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || /^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/.test(v), {
        message: 'must look like mysql://user:password@host:3306/database',
      }),
  ),
  DATABASE_TLS: z.enum(['off', 'rds']).default('off'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Read by `npm run migrate` only: the runtime secret's user and password, to create that user on the first deploy. */
  RUNTIME_DB_CURRENT_USER: optionalString,
  RUNTIME_DB_PASSWORD: optionalString,
  /** Read by `npm run migrate` only: the user(s) the servers connect as, granted row access after migrating. */
  RUNTIME_DB_USER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((raw) =>
        (raw ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      )
      .refine((names) => names.every((name) => /^[A-Za-z0-9_.-]{1,80}$/.test(name)), {
        message: 'must be user names (letters, digits, _ . -), comma-separated, such as app,app_clone',
      }),
  ),
  TRUST_PROXY: trustProxy,
  SESSION_SECRETS: sessionSecrets,
  PASSWORD_PEPPER: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  DATA_DIR: z.string().default('.data'),
  AWS_REGION: z
    .string()
    .default('ap-south-1')
    .refine((r) => (INDIAN_AWS_REGIONS as readonly string[]).includes(r), {
      message: `must be an Indian region (${INDIAN_AWS_REGIONS.join(' or ')}): customer data stays in India`,
    }),
  KEY_PROVIDER: z.enum(['local', 'kms']).default('local'),
  KMS_KEY_ID: optionalString,
  /** The backups' own KMS key (never the field key): only the backup, restore and drill commands read it. */
  BACKUP_KMS_KEY_ID: optionalString,
  /** How long an instance keeps unwrapped data keys and a tenant's current key version; a rotation waits this long before its final sweep. */
  KEY_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  STORAGE: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: optionalString,
  /** The bucket's own KMS key: without it S3 would use the AWS-managed aws/s3 key (and the bucket policy refuses that). */
  S3_KMS_KEY_ID: optionalString,
  SENTRY_DSN: z.preprocess(emptyToUndefined, z.string().url('must be a URL').optional()),
  SENTRY_ENVIRONMENT: optionalString,
  RAZORPAY_KEY_ID: optionalString,
  RAZORPAY_KEY_SECRET: optionalString,
  RAZORPAY_WEBHOOK_SECRET: optionalString,
  MAIL_TRANSPORT: z.enum(['outbox', 'smtp']).default('outbox'),
  SMTP_URL: optionalString,
  MAIL_FROM: z.string().default('Bizlumo HR <no-reply@bizlumo.in>'),
  DEMO_PASSWORD: z.string().default('Demo-pass-2026'),
  PUBLIC_ORIGIN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^https?:\/\/[^/]+$/, 'must be an origin like https://app.bizlumo.in (no path)')
      .optional(),
  ),
});

/**
 * Rules that span variables are checked on the raw environment, so they are reported together with
 * the per-variable problems (zod skips refinements when any field fails).
 */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const has = (key: string) => env[key] !== undefined && env[key] !== '';
  const need = (key: string, why: string) => {
    if (!has(key)) problems.push(`${key}: is required ${why}`);
  };
  if (env.KEY_PROVIDER === 'kms') need('KMS_KEY_ID', 'when KEY_PROVIDER=kms');
  if (env.STORAGE === 's3') need('S3_BUCKET', 'when STORAGE=s3');
  if (env.STORAGE === 's3') need('S3_KMS_KEY_ID', 'when STORAGE=s3');
  if (env.MAIL_TRANSPORT === 'smtp') need('SMTP_URL', 'when MAIL_TRANSPORT=smtp');
  if (env.NODE_ENV !== 'production') return problems;
  for (const key of [
    'PUBLIC_ORIGIN',
    'DATABASE_URL',
    'SESSION_SECRETS',
    'PASSWORD_PEPPER',
    'RAZORPAY_KEY_ID',
    'RAZORPAY_KEY_SECRET',
    'RAZORPAY_WEBHOOK_SECRET',
  ]) {
    need(key, 'in production');
  }
  for (const entry of (env.SESSION_SECRETS ?? '').split(',').map((s) => s.trim())) {
    const colon = entry.indexOf(':');
    const reason = colon > 0 ? weakSecretReason(entry.slice(colon + 1)) : undefined;
    if (reason) problems.push(`SESSION_SECRETS: the secret of key "${entry.slice(0, colon)}" ${reason}`);
  }
  const pepperReason = has('PASSWORD_PEPPER') ? weakSecretReason(env.PASSWORD_PEPPER!) : undefined;
  if (pepperReason) problems.push(`PASSWORD_PEPPER: ${pepperReason}`);
  if (has('PUBLIC_ORIGIN') && !env.PUBLIC_ORIGIN!.startsWith('https://')) {
    problems.push('PUBLIC_ORIGIN: must be https:// in production (session cookies are Secure and HSTS is promised)');
  }
  if (env.DATABASE_TLS !== 'rds') problems.push('DATABASE_TLS: must be rds in production (the database connection is encrypted and verified)');
  if (env.KEY_PROVIDER !== 'kms') problems.push('KEY_PROVIDER: must be kms in production (the local key file is for development)');
  if (env.STORAGE !== 's3') problems.push('STORAGE: must be s3 in production');
  if (env.MAIL_TRANSPORT !== 'smtp') problems.push('MAIL_TRANSPORT: must be smtp in production');
  return problems;
}

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  logLevel: Env['LOG_LEVEL'];
  /** Undefined only outside production: the dev/test launchers then find or start a local server. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** `rds`: verify the server against Amazon RDS's CA bundle (the database requires TLS). */
  databaseTls: 'off' | 'rds';
  trustProxy: string | number | false;
  sessionKeys: { kid: string; secret: string }[];
  passwordPepper: string;
  bodyLimitBytes: number;
  dataDir: string;
  aws: { region: string };
  keyProvider: { kind: 'local' } | { kind: 'kms'; keyId: string };
  /** With KEY_PROVIDER=kms, the key that wraps backup data keys; the backup commands require it, the server ignores it. */
  backupKmsKeyId: string | undefined;
  keyCacheMs: number;
  storage: { kind: 'local' } | { kind: 's3'; bucket: string; kmsKeyId: string };
  sentry: { dsn: string; environment: string } | undefined;
  razorpay: { keyId?: string; keySecret?: string; webhookSecret?: string };
  mail: { transport: 'outbox' | 'smtp'; smtpUrl?: string; from: string };
  demoPassword: string;
  /** Links in emails use this, never the request's Host header (which a client controls). */
  publicOrigin: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * ECS injects the database credentials from Secrets Manager as separate variables (a secret cannot be
 * spliced into a URL), so DATABASE_URL is composed from DB_* when it is not given whole.
 */
function withComposedDatabaseUrl(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (source.DATABASE_URL || !source.DB_HOST) return source;
  const user = encodeURIComponent(source.DB_USER ?? '');
  const password = source.DB_PASSWORD ? `:${encodeURIComponent(source.DB_PASSWORD)}` : '';
  const url = `mysql://${user}${password}@${source.DB_HOST}:${source.DB_PORT ?? '3306'}/${source.DB_NAME ?? 'bizlumo'}`;
  return { ...source, DATABASE_URL: url };
}

function fieldProblems(issues: z.core.$ZodIssue[], source: NodeJS.ProcessEnv): string[] {
  return issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = source[name];
    const missing = value === undefined || value === '';
    return `${name}: ${missing ? `missing (${issue.message})` : issue.message}`;
  });
}

export function loadConfig(rawSource: NodeJS.ProcessEnv = process.env): Config {
  const source = withComposedDatabaseUrl(rawSource);
  const parsed = schema.safeParse(source);
  const crossField = crossFieldProblems(source);
  if (!parsed.success || crossField.length > 0) {
    throw new ConfigError([...fieldProblems(parsed.error?.issues ?? [], source), ...crossField]);
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    host: env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : 'localhost'),
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseTls: env.DATABASE_TLS,
    trustProxy: env.TRUST_PROXY,
    sessionKeys: env.SESSION_SECRETS ?? [{ kid: DEV_SESSION_SECRET.split(':')[0]!, secret: DEV_SESSION_SECRET.split(':')[1]! }],
    passwordPepper: env.PASSWORD_PEPPER ?? DEV_PEPPER,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    dataDir: env.DATA_DIR,
    aws: { region: env.AWS_REGION },
    keyProvider: env.KEY_PROVIDER === 'kms' ? { kind: 'kms', keyId: env.KMS_KEY_ID! } : { kind: 'local' },
    backupKmsKeyId: env.BACKUP_KMS_KEY_ID,
    keyCacheMs: env.KEY_CACHE_SECONDS * 1000,
    storage: env.STORAGE === 's3' ? { kind: 's3', bucket: env.S3_BUCKET!, kmsKeyId: env.S3_KMS_KEY_ID! } : { kind: 'local' },
    sentry: env.SENTRY_DSN ? { dsn: env.SENTRY_DSN, environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV } : undefined,
    razorpay: { keyId: env.RAZORPAY_KEY_ID, keySecret: env.RAZORPAY_KEY_SECRET, webhookSecret: env.RAZORPAY_WEBHOOK_SECRET },
    mail: { transport: env.MAIL_TRANSPORT, smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    demoPassword: env.DEMO_PASSWORD,
    publicOrigin: env.PUBLIC_ORIGIN,
  };
}

export interface MigratorConfig extends Pick<Config, 'env' | 'isProduction' | 'databaseUrl' | 'databaseTls' | 'dataDir'> {
  /** The users the servers connect as (RUNTIME_DB_USER); empty outside production means "grant nothing". */
  runtimeDbUsers: string[];
  /** RUNTIME_DB_CURRENT_USER and RUNTIME_DB_PASSWORD together: the user to create if it does not exist yet. */
  runtimeDbSeed: { user: string; password: string } | undefined;
}

const migratorSchema = schema.pick({
  NODE_ENV: true,
  DATABASE_URL: true,
  DATABASE_TLS: true,
  DATA_DIR: true,
  RUNTIME_DB_USER: true,
  RUNTIME_DB_CURRENT_USER: true,
  RUNTIME_DB_PASSWORD: true,
});

/**
 * What `npm run migrate` needs and nothing more: the one-off migrate task runs with the migrator's
 * database credentials and none of the server's secrets (sessions, pepper, payment keys).
 */
export function loadMigratorConfig(rawSource: NodeJS.ProcessEnv = process.env): MigratorConfig {
  const source = withComposedDatabaseUrl(rawSource);
  const parsed = migratorSchema.safeParse(source);
  const problems = parsed.success ? [] : fieldProblems(parsed.error.issues, source);
  if (source.NODE_ENV === 'production') {
    if (!source.DATABASE_URL) problems.push('DATABASE_URL: is required in production (or DB_HOST, DB_USER, DB_PASSWORD: the migrator)');
    if (!source.RUNTIME_DB_USER) problems.push('RUNTIME_DB_USER: is required in production (the user(s) the servers connect as, to be granted row access)');
    // As for the server (crossFieldProblems): the migrator's password, the most powerful one, never crosses in clear.
    if (source.DATABASE_TLS !== 'rds') problems.push('DATABASE_TLS: must be rds in production (the database connection is encrypted and verified)');
  }
  if (Boolean(source.RUNTIME_DB_CURRENT_USER) !== Boolean(source.RUNTIME_DB_PASSWORD)) {
    problems.push(
      'RUNTIME_DB_PASSWORD: RUNTIME_DB_CURRENT_USER and RUNTIME_DB_PASSWORD go together (the runtime secret, to create its user on the first deploy)',
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    databaseUrl: env.DATABASE_URL,
    databaseTls: env.DATABASE_TLS,
    dataDir: env.DATA_DIR,
    runtimeDbUsers: env.RUNTIME_DB_USER,
    runtimeDbSeed:
      env.RUNTIME_DB_CURRENT_USER && env.RUNTIME_DB_PASSWORD ? { user: env.RUNTIME_DB_CURRENT_USER, password: env.RUNTIME_DB_PASSWORD } : undefined,
  };
}
