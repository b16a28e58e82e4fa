import { describe, expect, it } from 'vitest';
import { ConfigError, loadMigratorConfig } from '../../src/config.js';

/** The one-off migrate task gets the migrator's database credentials and RUNTIME_DB_USER, none of the server's secrets. */
describe('the migrate command’s configuration', () => {
  const migratorTask = { NODE_ENV: 'production', DB_HOST: 'db.internal', DB_USER: 'admin', DB_PASSWORD: 'p@ss', DB_NAME: 'bizlumo', DATABASE_TLS: 'rds' };

  it('needs only the database and the runtime users in production, and splits the user list', () => {
    const config = loadMigratorConfig({ ...migratorTask, RUNTIME_DB_USER: ' app , app_clone ' });
    expect(config).toMatchObject({ isProduction: true, databaseTls: 'rds', databaseUrl: 'mysql://admin:p%40ss@db.internal:3306/bizlumo' });
    expect(config.runtimeDbUsers).toEqual(['app', 'app_clone']);
  });

  it('requires RUNTIME_DB_USER in production: a deploy that grants no one would leave new tables unusable', () => {
    expect(() => loadMigratorConfig(migratorTask)).toThrow(ConfigError);
    expect(() => loadMigratorConfig(migratorTask)).toThrow(/RUNTIME_DB_USER: is required in production/);
    expect(loadMigratorConfig({}).runtimeDbUsers).toEqual([]);
  });

  it('refuses to send the migrator’s password unencrypted in production', () => {
    expect(() => loadMigratorConfig({ ...migratorTask, DATABASE_TLS: 'off', RUNTIME_DB_USER: 'app' })).toThrow(/DATABASE_TLS: must be rds in production/);
  });

  it('refuses a user name that is not a plain name', () => {
    expect(() => loadMigratorConfig({ RUNTIME_DB_USER: "app'@'%" })).toThrow(/RUNTIME_DB_USER: must be user names/);
  });

  it('takes the runtime secret (user and password together) for the first deploy, and refuses half of it', () => {
    const config = loadMigratorConfig({
      ...migratorTask,
      RUNTIME_DB_USER: 'app,app_clone',
      RUNTIME_DB_CURRENT_USER: 'app',
      RUNTIME_DB_PASSWORD: 'pw-0123456789',
    });
    expect(config.runtimeDbSeed).toEqual({ user: 'app', password: 'pw-0123456789' });
    expect(() => loadMigratorConfig({ ...migratorTask, RUNTIME_DB_USER: 'app', RUNTIME_DB_CURRENT_USER: 'app' })).toThrow(
      /RUNTIME_DB_PASSWORD: .* go together/,
    );
    expect(loadMigratorConfig({}).runtimeDbSeed).toBeUndefined();
  });
});
