import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations from the modules' schema files; they are applied at
// start-up and in tests by src/platform/db/migrate.ts (no drizzle-kit at run time).
export default defineConfig({
  dialect: 'mysql',
  schema: ['./src/modules/*/schema.ts', './src/platform/*/schema.ts'],
  out: './migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/bizlumo' },
});
