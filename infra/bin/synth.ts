/**
 * `npm run infra:synth`: writes the CloudFormation templates to infra/cdk.out with no credentials and
 * no network. Also the `--app` for the CDK CLI at deploy time (which sets CDK_OUTDIR itself).
 * BIZLUMO_REGION / BIZLUMO_DR_REGION exist so the region guard can be exercised; anything but
 * ap-south-1 / ap-south-2 is refused with a message naming the region.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInfra } from '../lib/infra.js';
import { RegionError } from '../lib/region.js';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: { ruleName: string; reason?: string }[] }[];
}

const started = performance.now();
try {
  const { app } = buildInfra({
    outdir: process.env.CDK_OUTDIR ?? 'infra/cdk.out',
    account: process.env.CDK_DEPLOY_ACCOUNT,
    region: process.env.BIZLUMO_REGION,
    drRegion: process.env.BIZLUMO_DR_REGION,
    domainName: process.env.BIZLUMO_DOMAIN,
  });
  // Throws (and writes validation-report.json) on any finding of the built-in CloudFormation
  // validation (errors and warnings) or of our guardrails plugin.
  const assembly = app.synth();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  const findings = report.pluginReports.reduce((n, p) => n + p.violations.length, 0);
  const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
  console.log(`Synthesized ${assembly.stacks.length} stacks to ${assembly.directory} in ${seconds} s; validation findings: ${findings}.`);
  for (const rule of new Set(acknowledged.map((a) => `${a.ruleName} (acknowledged by CDK: ${a.reason ?? 'no reason given'})`))) {
    console.log(`  ${rule}`);
  }
} catch (error) {
  if (error instanceof RegionError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
