import nunjucks from 'nunjucks';
import path from 'node:path';
import { formatDateIST, formatDateTimeIST, formatMoney, formatTimeIST, mask } from './filters.js';

export { formatMoney, formatDateIST, formatDateTimeIST, formatTimeIST, mask } from './filters.js';

/**
 * The nunjucks environment: autoescape on (names can hold HTML), no caching in development so a
 * template edit shows on reload, and the shared filters.
 */
export function createViews(viewsDir: string, options: { watch: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.resolve(viewsDir), { noCache: options.watch }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('money', formatMoney);
  env.addFilter('istDate', formatDateIST);
  env.addFilter('istDateTime', formatDateTimeIST);
  env.addFilter('istTime', formatTimeIST);
  env.addFilter('mask', mask);
  return env;
}
