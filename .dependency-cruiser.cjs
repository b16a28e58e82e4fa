/**
 * The import rules of ARCHITECTURE.md ("Rules of the house"), checked by `npm run lint:deps` (part of
 * `npm test`). Paths are relative to the repository root; the TypeScript sources import each other
 * with `.js` specifiers, which the tsConfig option below resolves to the `.ts` files.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-module',
      severity: 'error',
      comment: 'platform/ holds technical capabilities with no business rules: it never imports a module, the composition root, the demo or a command.',
      from: { path: '^src/platform/' },
      to: { path: ['^src/modules/', '^src/demo/', '^src/cli/', '^src/app\\.ts$', '^src/main\\.ts$'] },
    },
    {
      name: 'module-through-index',
      severity: 'error',
      comment: "A module imports another module only through its index.ts, the module's public face.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle is a design error: dependencies point one way.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-imports-no-test-or-script',
      severity: 'error',
      comment: 'The application never depends on test code or on the scripts that drive it.',
      from: { path: '^src/' },
      to: { path: ['^test/', '^scripts/'] },
    },
    {
      name: 'domain-knows-no-http-or-views',
      severity: 'error',
      comment:
        'Use cases, stores and pure rules are called from routes, jobs and commands alike: they know nothing of HTTP or page rendering. Only the route files, the request plugins and the route-rule hook speak HTTP.',
      from: { path: '^src/modules/', pathNot: ['routes\\.ts$', '/plugin\\.ts$', '^src/modules/access/rules\\.ts$'] },
      to: { path: ['^src/platform/http/', '^src/platform/views/'] },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'Every import resolves. Also keeps the rules above honest: an import the cruiser cannot follow would slip past them.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a module boundary holds for types as well as for values.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
