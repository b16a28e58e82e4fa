import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientCredentials } from '../../src/platform/backup/tools.js';
import { rdsCertificates } from '../../src/platform/db/tls.js';

/** The option file behind `--defaults-extra-file=…`, as the MariaDB clients read it. */
function optionFileOf(argument: string): { file: string; lines: string[] } {
  const file = argument.replace(/^--defaults-extra-file=/, '');
  return { file, lines: readFileSync(file, 'utf8').trim().split('\n') };
}

/** `"…"` with the option-file escapes undone. */
const unquote = (value: string) => value.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1');

function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

describe('option file of the command-line clients', () => {
  const url = 'mysql://bizlumo_admin:p%40ss%22w@bizlumo-hr.abc.ap-south-1.rds.amazonaws.com:3306/bizlumo';

  it('for rds names a private CA file of PEM certificates and verifies the server certificate, and removes both', async () => {
    const credentials = await clientCredentials(url, 'rds');
    const { file, lines } = optionFileOf(credentials.argument);
    try {
      expect(lines).toContain('ssl-verify-server-cert');
      const caLine = lines.find((line) => line.startsWith('ssl-ca='));
      expect(caLine).toBeDefined();
      const caFile = unquote(caLine!.slice('ssl-ca='.length));
      expect(path.dirname(caFile)).toBe(path.dirname(file));
      expect(statSync(caFile).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(caFile)).mode & 0o777).toBe(0o700);
      const certificates = pemCertificates(readFileSync(caFile, 'utf8'));
      expect(certificates.length).toBeGreaterThan(5);
      expect(certificates.every((certificate) => certificate.ca)).toBe(true);
      expect(certificates.some((certificate) => /Amazon RDS/.test(certificate.subject))).toBe(true);
      // The credentials are still there, and still quoted.
      expect(lines).toContain('user="bizlumo_admin"');
      expect(lines).toContain('password="p@ss\\"w"');
      expect(lines).toContain('host="bizlumo-hr.abc.ap-south-1.rds.amazonaws.com"');
    } finally {
      await credentials.remove();
    }
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('for off has no TLS settings and no CA file', async () => {
    const credentials = await clientCredentials(url, 'off');
    const { file, lines } = optionFileOf(credentials.argument);
    try {
      expect(lines.filter((line) => /^ssl/.test(line))).toEqual([]);
      expect(existsSync(path.join(path.dirname(file), 'ca.pem'))).toBe(false);
    } finally {
      await credentials.remove();
    }
  });

  it("with a CA of one's own writes exactly that CA", async () => {
    const [someCa] = rdsCertificates().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
    const credentials = await clientCredentials(url, { ca: someCa! });
    try {
      const { lines } = optionFileOf(credentials.argument);
      const caFile = unquote(lines.find((line) => line.startsWith('ssl-ca='))!.slice('ssl-ca='.length));
      expect(readFileSync(caFile, 'utf8')).toBe(someCa);
      expect(lines).toContain('ssl-verify-server-cert');
    } finally {
      await credentials.remove();
    }
  });

  it("trusts the very certificates of mysql2's 'Amazon RDS' profile, which the app's pool uses", () => {
    // mysql2 resolves `ssl: 'Amazon RDS'` through this file (not exported, so reached by path).
    const requireFromMysql2 = createRequire(createRequire(import.meta.url).resolve('mysql2'));
    const profiles = requireFromMysql2('./lib/constants/ssl_profiles.js') as Record<string, { ca: string[] }>;
    const pool = profiles['Amazon RDS']!.ca.map((pem) => new X509Certificate(pem).fingerprint256);
    const ours = pemCertificates(rdsCertificates()).map((certificate) => certificate.fingerprint256);
    expect(ours).toEqual(pool);
  });
});
