import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hidePassword } from '../../src/cli/command.js';

describe('hidePassword (what the commands print of a database URL)', () => {
  it('hides the password and keeps user, host, port and database', () => {
    expect(hidePassword('mysql://bizlumo_admin:s3cret@drill.rds.amazonaws.com:3306/bizlumo')).toBe(
      'mysql://bizlumo_admin:***@drill.rds.amazonaws.com:3306/bizlumo',
    );
  });

  it('hides all of a password that holds : or an unescaped @', () => {
    expect(hidePassword('mysql://u:a:b@c@db:3306/bizlumo')).toBe('mysql://u:***@db:3306/bizlumo');
    expect(hidePassword('mysql://:pw@db/bizlumo')).toBe('mysql://:***@db/bizlumo');
  });

  it('leaves a URL without a password alone, whatever its query holds', () => {
    expect(hidePassword('mysql://root@127.0.0.1:3306/bizlumo')).toBe('mysql://root@127.0.0.1:3306/bizlumo');
    expect(hidePassword('mysql://127.0.0.1:3306/bizlumo?note=a@b')).toBe('mysql://127.0.0.1:3306/bizlumo?note=a@b');
  });
});

describe('the commands in src/cli', () => {
  it('each has an npm script that runs it with tsx in development (the image runs dist/cli/<name>.js)', () => {
    const cliDir = fileURLToPath(new URL('../../src/cli/', import.meta.url));
    const commands = readdirSync(cliDir).filter((file) => file.endsWith('.ts') && file !== 'command.ts');
    const packageJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
    const scripts = Object.values(packageJson.scripts);
    expect(commands).toEqual(expect.arrayContaining(['backup.ts', 'drill-restore.ts', 'keys-rotate.ts']));
    for (const file of commands) expect(scripts, file).toContain(`tsx src/cli/${file}`);
  });
});
