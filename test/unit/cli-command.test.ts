import { describe, expect, it } from 'vitest';
import { hidePassword } from '../../src/cli/command.js';

describe('hidePassword (what the commands print of a database URL)', () => {
  it('hides the password and keeps user, host, port and database', () => {
    expect(hidePassword('mysql://bizlumo_admin:s3cret@drill.rds.amazonaws.com:3306/bizlumo')).toBe('mysql://bizlumo_admin:***@drill.rds.amazonaws.com:3306/bizlumo');
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
