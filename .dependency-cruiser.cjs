/**
 * Architecture rules for the modular monolith (see test/architecture/architecture.spec.ts).
 *
 *   npx depcruise --config .dependency-cruiser.cjs src libs      (npm run test:arch)
 *
 * Paths are relative to the directory depcruise runs in (the repo root). Patterns for npm
 * packages use `(^|/)node_modules/` rather than `^node_modules/` so that the same rules also
 * work when cruising the fixture tree under test/architecture/fixtures/ (whose packages resolve
 * to ../../../node_modules/...).
 */

/** Packages (and node core modules) that tie code to a framework, a transport or a database. */
const IMPURE_PACKAGES = [
  '(^|/)node_modules/@nestjs/',
  '(^|/)node_modules/(@types/)?(typeorm|pg|pg-[^/]+|express|supertest)/',
  '(^|/)node_modules/(@electric-sql/[^/]+|pgvector)/',
];
const IMPURE_CORE_MODULES = '^(node:)?(http|https|http2)$';

/** A file in a module's (or a lib's) pure core. */
const PURE_FILES = ['(^|/)domain/', '[.]decider[.]ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'Domain code (anything under a domain/ folder, and *.decider.ts files) must be pure: no NestJS, ' +
        'no TypeORM/pg/express/supertest, no node http, and no application/, infrastructure/ or HTTP ' +
        'controller code. Move the dependency outward (application/infrastructure) or invert it with a port.',
      from: { path: PURE_FILES },
      to: {
        path: [
          ...IMPURE_PACKAGES,
          IMPURE_CORE_MODULES,
          '(^|/)infrastructure/',
          '(^|/)application/',
          '[.]http[.]controller[.]ts$',
        ],
      },
    },
    {
      name: 'modules-only-through-contracts',
      severity: 'error',
      comment:
        "A module may use another module only through that module's contracts/ folder. " +
        'Expose what you need there (DTOs, events, query/command ports) instead of reaching into its internals.',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/([^/]+)/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contracts/'],
      },
    },
    {
      name: 'app-uses-modules-through-contracts',
      severity: 'error',
      comment:
        'The application shell (src/app.module.ts, src/cli/, main, bootstrap, config, health) wires a module in by ' +
        "its root *.module.ts files and otherwise uses it only through its contracts/ folder, as other modules do: " +
        'expose what the shell needs there (an abstract class as the DI token, bound in the module) instead of ' +
        'importing the module\'s application/domain/infrastructure.',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: {
        path: '^src/modules/',
        pathNot: ['^src/modules/[^/]+/contracts/', '^src/modules/[^/]+/[^/]+[.]module[.]ts$'],
      },
    },
    {
      name: 'no-parent-relative-imports',
      severity: 'error',
      comment:
        'Import from another folder by path alias (@app/, @modules/, @libs/, @config/), never by climbing with ../: ' +
        'the alias says where the code lives and survives moving the importing file. ./ (the same folder and ' +
        'below) stays. Matched as a relative (non-aliased) import that resolves outside the importing file\'s folder.',
      from: { path: '^(src|libs|(?:src|libs)/.+)/[^/]+$' },
      to: {
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased'],
        pathNot: '^$1/',
      },
    },
    {
      name: 'contracts-are-leaves',
      severity: 'error',
      comment:
        "A module's contracts/ may depend only on other contracts/ files of the same module, on libs/ and on " +
        'npm packages (and node core modules) - never on its own domain/application/projections/infrastructure ' +
        'nor on anything else in src/.',
      from: { path: '^src/modules/([^/]+)/contracts/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^src/modules/$1/contracts/', '^libs/', '(^|/)node_modules/'],
      },
    },
    {
      name: 'libs-never-import-modules',
      severity: 'error',
      comment: 'libs/ is shared infrastructure and must not know about the application: nothing in libs/ may import from src/.',
      from: { path: '^libs/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This dependency is part of a circular relationship (type-only imports are not counted). Break the ' +
        'cycle, e.g. with dependency inversion or by moving the shared part into its own file.',
      from: {},
      to: {
        circular: true,
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    // Keep import-type / type-only imports in the graph (labelled 'type-only') so the rules see them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
