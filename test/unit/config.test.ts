import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://app:secret@db.internal:3306/bizlumo',
  DATABASE_TLS: 'rds',
  SESSION_SECRETS: 'k2026:Qm9yZWQgYXQgdGhlIGRlc2s7IHJvbGwgdGhlIGRpY2U',
  PASSWORD_PEPPER: 'vK3pX9qL2mN7wR4tY8zB1cF6hJ0sD5gA',
  KEY_PROVIDER: 'kms',
  KMS_KEY_ID: 'arn:aws:kms:ap-south-1:111122223333:key/abc',
  STORAGE: 's3',
  S3_BUCKET: 'bizlumo-prod',
  S3_KMS_KEY_ID: 'arn:aws:kms:ap-south-1:111122223333:key/storage',
  MAIL_TRANSPORT: 'smtp',
  SMTP_URL: 'smtp://mail.internal:587',
  RAZORPAY_KEY_ID: 'rzp_live_x',
  RAZORPAY_KEY_SECRET: 'secret',
  RAZORPAY_WEBHOOK_SECRET: 'whsec',
  TRUST_PROXY: '10.0.0.0/16',
  PUBLIC_ORIGIN: 'https://app.bizlumo.in',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('gives development working defaults', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.keyProvider).toEqual({ kind: 'local' });
    expect(config.aws.region).toBe('ap-south-1');
    expect(config.trustProxy).toBe(false);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.host).toBe('0.0.0.0');
    expect(config.sessionKeys).toEqual([{ kid: 'k2026', secret: 'Qm9yZWQgYXQgdGhlIGRlc2s7IHJvbGwgdGhlIGRpY2U' }]);
    expect(config.trustProxy).toBe('10.0.0.0/16');
  });

  it('lists every missing production variable at once, one per line', () => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty' });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toMatch(/^Invalid configuration \(\d+ problems\):$/);
    for (const name of ['PORT', 'DATABASE_URL', 'SESSION_SECRETS', 'PASSWORD_PEPPER', 'KEY_PROVIDER', 'STORAGE', 'RAZORPAY_WEBHOOK_SECRET']) {
      expect(
        lines.some((line) => line.startsWith(`  - ${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-1'])('refuses the AWS region %s', (region) => {
    const problems = problemsOf({ ...production, AWS_REGION: region });
    expect(problems).toEqual([expect.stringMatching(/^AWS_REGION: must be an Indian region \(ap-south-1 or ap-south-2\)/)]);
  });

  it('accepts ap-south-2 (Hyderabad)', () => {
    expect(loadConfig({ ...production, AWS_REGION: 'ap-south-2' }).aws.region).toBe('ap-south-2');
  });

  it('refuses TRUST_PROXY=true, which would let any client forge its IP', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/^TRUST_PROXY: must name the proxy/)]);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(problemsOf({ TRUST_PROXY: 'evil.example.com' })[0]).toMatch(/^TRUST_PROXY:/);
  });

  it('refuses short or malformed session secrets', () => {
    expect(problemsOf({ SESSION_SECRETS: 'k1:short' })[0]).toMatch(/^SESSION_SECRETS: each entry must be kid:secret/);
    const config = loadConfig({ SESSION_SECRETS: 'new:' + 'n'.repeat(32) + ',old:' + 'o'.repeat(40) });
    expect(config.sessionKeys.map((k) => k.kid)).toEqual(['new', 'old']);
  });

  it('requires the KMS key id and bucket when those adapters are chosen', () => {
    const problems = problemsOf({ KEY_PROVIDER: 'kms', STORAGE: 's3' });
    expect(problems).toContain('KMS_KEY_ID: is required when KEY_PROVIDER=kms');
    expect(problems).toContain('S3_BUCKET: is required when STORAGE=s3');
  });

  it('refuses a database URL that is not mysql://', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://localhost/x' })[0]).toMatch(/^DATABASE_URL: must look like mysql:\/\//);
  });

  it('composes DATABASE_URL from DB_* (how ECS passes Secrets Manager values)', () => {
    const config = loadConfig({ ...production, DATABASE_URL: '', DB_HOST: 'db.internal', DB_USER: 'app', DB_PASSWORD: 'p@ss:/word', DB_NAME: 'hr' });
    expect(config.databaseUrl).toBe('mysql://app:p%40ss%3A%2Fword@db.internal:3306/hr');
  });

  describe('production refuses what only development may use', () => {
    it('refuses the development session secret and pepper written in src/config.ts, by value', () => {
      const dev = loadConfig({});
      const problems = problemsOf({ ...production, SESSION_SECRETS: `k1:${dev.sessionKeys[0]!.secret}`, PASSWORD_PEPPER: dev.passwordPepper });
      expect(problems).toEqual([
        expect.stringMatching(/^SESSION_SECRETS: the secret of key "k1" is the development value written in src\/config\.ts/),
        expect.stringMatching(/^PASSWORD_PEPPER: is the development value written in src\/config\.ts/),
      ]);
    });

    it.each([
      ['32 × a', 'a'.repeat(32)],
      ['a repeated pair', 'ab'.repeat(20)],
      ['a few characters shuffled', 'abcdeabcdeedcbaedcbaabcdeedcbaab'],
    ])('refuses a low-entropy secret (%s) for the session key and the pepper', (_label, secret) => {
      const problems = problemsOf({ ...production, SESSION_SECRETS: `new:${secret},old:Qm9yZWQgYXQgdGhlIGRlc2s7IHJvbGwgdGhlIGRpY2U`, PASSWORD_PEPPER: secret });
      expect(problems).toEqual([
        expect.stringMatching(/^SESSION_SECRETS: the secret of key "new" looks guessable/),
        expect.stringMatching(/^PASSWORD_PEPPER: looks guessable/),
      ]);
    });

    it('accepts generated secrets (hex and base64 of random bytes)', () => {
      const hex = randomBytes(16).toString('hex');
      const base64 = randomBytes(32).toString('base64');
      expect(() => loadConfig({ ...production, SESSION_SECRETS: `a:${hex},b:${base64}`, PASSWORD_PEPPER: base64 })).not.toThrow();
    });

    it('refuses an http:// public origin', () => {
      expect(problemsOf({ ...production, PUBLIC_ORIGIN: 'http://app.bizlumo.in' })).toEqual([expect.stringMatching(/^PUBLIC_ORIGIN: must be https:\/\//)]);
    });

    it('refuses a database connection without TLS', () => {
      expect(problemsOf({ ...production, DATABASE_TLS: 'off' })).toEqual([expect.stringMatching(/^DATABASE_TLS: must be rds in production/)]);
      const { DATABASE_TLS: _omitted, ...withoutTls } = production;
      expect(problemsOf(withoutTls)).toEqual([expect.stringMatching(/^DATABASE_TLS: must be rds in production/)]);
    });

    it('still lets development use its defaults and plain http', () => {
      expect(() => loadConfig({ PUBLIC_ORIGIN: 'http://localhost:3000', PASSWORD_PEPPER: 'a'.repeat(32) })).not.toThrow();
    });
  });
});
