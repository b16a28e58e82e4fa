import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The image the infra templates deploy (infra/lib/app.ts runs it with a read-only root filesystem as
 * user `node`). Read as text: no Docker daemon needed.
 */
const dockerfile = readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Joins `\` continuations, drops comments and blank lines, splits each line into keyword and arguments. */
function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\r?\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const instructions = parseDockerfile(dockerfile);
const stageStarts = instructions.flatMap((ins, i) => (ins.keyword === 'FROM' ? [i] : []));
const finalStage = instructions.slice(stageStarts.at(-1) ?? 0);
const inFinal = (keyword: string) => finalStage.filter((ins) => ins.keyword === keyword);

/** ENV/ARG pairs, in both `NAME=value NAME2=value` and legacy `NAME value` forms. */
function assignments(ins: Instruction): { name: string; value: string }[] {
  if (ins.keyword === 'ARG') {
    const [name = '', value = ''] = ins.args.split('=', 2);
    return [{ name: name.trim(), value: value.trim() }];
  }
  if (!ins.args.includes('=')) {
    const [name = '', ...value] = ins.args.split(/\s+/);
    return [{ name, value: value.join(' ') }];
  }
  return [...ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)].map((m) => ({ name: m[1]!, value: m[2]! }));
}

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PEPPER|TOKEN|DSN|CREDENTIAL|PRIVATE|(^|_)KEY(_ID)?$)/i;

describe('Dockerfile', () => {
  it('is multi-stage', () => {
    expect(stageStarts.length).toBeGreaterThanOrEqual(2);
  });

  it('compiles TypeScript in a build stage and copies only the compiled output into the runtime stage', () => {
    const buildStage = instructions.slice(0, stageStarts.at(-1));
    expect(buildStage.some((ins) => ins.keyword === 'RUN' && /npm run build|tsc\b/.test(ins.args))).toBe(true);
    expect(inFinal('COPY').some((ins) => /--from=\S+\s+\S*\/dist\s/.test(`${ins.args} `))).toBe(true);
    expect(inFinal('COPY').some((ins) => /(^|\s)src(\/|\s|$)/.test(ins.args.replace(/--\S+/g, '')))).toBe(false);
  });

  it('compiles src/ alone, so the commands in src/cli reach the image as dist/cli/*.js (and scripts/ stays out)', () => {
    const buildStage = instructions.slice(0, stageStarts.at(-1));
    const copied = buildStage.filter((ins) => ins.keyword === 'COPY').flatMap((ins) => ins.args.replace(/--\S+/g, '').trim().split(/\s+/).slice(0, -1));
    expect(copied).toContain('src');
    expect(copied).not.toContain('scripts');
    const build = JSON.parse(readFileSync(fileURLToPath(new URL('../../tsconfig.build.json', import.meta.url)), 'utf8')) as {
      include: string[];
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.include).toEqual(['src']);
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
  });

  it('installs production dependencies only in the runtime stage', () => {
    const runs = inFinal('RUN').map((ins) => ins.args);
    expect(runs.some((cmd) => /\bnpm ci\b[^&|;]*--omit=dev/.test(cmd))).toBe(true);
    expect(runs.some((cmd) => /\bnpm (ci|install|i)\b(?![^&|;]*--omit=dev)/.test(cmd))).toBe(false);
  });

  it('runs the compiled JavaScript with node', () => {
    const [cmd] = inFinal('CMD')
      .concat(inFinal('ENTRYPOINT'))
      .map((ins) => ins.args);
    expect(cmd).toBeDefined();
    const words = cmd!.startsWith('[') ? (JSON.parse(cmd!) as string[]) : cmd!.split(/\s+/);
    expect(words).toEqual(['node', 'dist/main.js']);
  });

  it("installs Debian's mariadb-client in the final stage (the backup and drill commands run mariadb-dump and mariadb), lean and as root", () => {
    const runs = finalStage.flatMap((ins, i) => (ins.keyword === 'RUN' ? [{ cmd: ins.args, at: i }] : []));
    const install = runs.find(({ cmd }) => /\bapt-get install\b[^&|;]*\bmariadb-client\b/.test(cmd));
    expect(install, 'a RUN with apt-get install … mariadb-client').toBeDefined();
    const { cmd, at } = install!;
    expect(cmd).toMatch(/\bapt-get update\b[\s\S]*&&[\s\S]*\bapt-get install\b/);
    expect(cmd).toMatch(/\bapt-get install\b[^&|;]*(\s-y\b|--yes\b|--assume-yes\b)/);
    expect(cmd).toMatch(/\bapt-get install\b[^&|;]*--no-install-recommends\b/);
    expect(cmd).toMatch(/&&\s*rm -rf \/var\/lib\/apt\/lists\/\*/);
    // Debian's package, not Oracle's mysql client (no --sandbox) nor a pinned old one.
    expect(cmd).not.toMatch(/\b(default-)?mysql-client\b|mariadb-client[=:]/);
    // Installed before the switch to the unprivileged user (apt needs root).
    const lastUser = finalStage.map((ins, i) => (ins.keyword === 'USER' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(at).toBeLessThan(lastUser);
    // The base the package comes from: bookworm's mariadb-client is 10.11.
    expect(finalStage[0]!.args).toMatch(/^node:20-bookworm(-slim)?\b/);
  });

  it('runs as a non-root user in the final stage', () => {
    const users = inFinal('USER').map((ins) => ins.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
  });

  it('has a HEALTHCHECK', () => {
    const [healthcheck] = inFinal('HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/\bCMD\b/);
    expect(healthcheck?.args).not.toMatch(/^NONE\b/i);
  });

  it('bakes in no secrets', () => {
    for (const ins of instructions.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      for (const { name, value } of assignments(ins)) {
        if (SECRET_NAME.test(name)) expect(value, `${ins.keyword} ${name}`).toBe('');
      }
    }
    // Nor copies the whole build context (which would carry .env files along).
    for (const ins of instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      const sources = ins.args.replace(/--\S+/g, '').trim().split(/\s+/).slice(0, -1);
      expect(sources, ins.args).not.toContain('.');
      expect(
        sources.some((s) => s.includes('.env')),
        ins.args,
      ).toBe(false);
    }
  });

  it('parses secrets the way the check above relies on', () => {
    const parsed = parseDockerfile(
      'FROM a AS b\nARG API_TOKEN=abc\nENV SENTRY_DSN=https://x NODE_ENV=production \\\n  RAZORPAY_KEY_ID=rzp\nENV PASSWORD hunter2\n',
    );
    const found = parsed.flatMap(assignments).filter(({ name, value }) => SECRET_NAME.test(name) && value !== '');
    expect(found.map((a) => a.name)).toEqual(['API_TOKEN', 'SENTRY_DSN', 'RAZORPAY_KEY_ID', 'PASSWORD']);
  });
});
