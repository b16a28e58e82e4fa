/**
 * `npm run --silent payroll:explain` as a person runs it (spec §9): the real command in a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_A_INPUT } from '../support/payroll-examples.js';

const folder = mkdtempSync(join(tmpdir(), 'payroll-explain-'));
const exampleA = EXAMPLE_A_INPUT; // spec §9 verbatim

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function explain(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('npm', ['run', '--silent', 'payroll:explain', '--', ...args], { cwd: process.cwd() }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

const oneLineNaming = (stderr: string, field: string) => {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toContain(`${field}: `);
};

describe('npm run payroll:explain', { timeout: 60_000 }, () => {
  it('prints the breakdown of a good file as JSON and exits 0', async () => {
    const { code, stdout, stderr } = await explain([file('a.json', JSON.stringify(exampleA))]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const breakdown = JSON.parse(stdout);
    expect(breakdown).toMatchObject({ gross: 98200, pt: 200, net: 96200, employerCost: 100150, tds: { projectedTaxable: 1103400, annualTax: 0, month: 0 } });
    expect(breakdown.explanation.length).toBeGreaterThan(5);
  });

  it('exits 2 with one line naming the field on bad input', async () => {
    const { code, stdout, stderr } = await explain([file('bad.json', JSON.stringify({ ...exampleA, earnings: { basic: -5 } }))]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    oneLineNaming(stderr, 'earnings.basic');
  });

  it('reads standard input with -, and names the state it has no rules for', async () => {
    const { code, stderr } = await explain(['-'], JSON.stringify({ ...exampleA, state: 'KL', lopDays: 40 }));
    expect(code).toBe(2);
    oneLineNaming(stderr, 'lopDays');
    const kerala = await explain(['-'], JSON.stringify({ ...exampleA, state: 'KL' }));
    expect(kerala.code).toBe(2);
    oneLineNaming(kerala.stderr, 'state');
    expect(kerala.stderr).toContain('KL');
  });

  it('exits 2 with one clear line for a file it cannot read or text that is not JSON', async () => {
    const missing = await explain([join(folder, 'nothing-here.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^payroll:explain: cannot read .*nothing-here\.json: ENOENT\n$/);
    const notJson = await explain([file('broken.json', '{ "month": ')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^payroll:explain: .*broken\.json is not JSON: [^\n]+\n$/);
  });
});
