/**
 * Architecture rules (.dependency-cruiser.cjs), checked two ways:
 *  1. the real code (src, libs) has no violations;
 *  2. a fixture tree (test/architecture/fixtures/rule-breakers) that breaks every rule on purpose
 *     produces exactly the expected violations - so a rule that is broken, misspelt, too loose or
 *     too strict fails this test instead of silently passing.
 *
 * dependency-cruiser 17 is ESM-only (its API cannot be require()d from this CommonJS jest run),
 * so its CLI is run in a child process with `--output-type json`.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../..');
const depcruiseBin = join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(repoRoot, '.dependency-cruiser.cjs');
const fixtureRoot = join(__dirname, 'fixtures/rule-breakers');

const RULES = [
  'domain-is-pure',
  'modules-only-through-contracts',
  'app-uses-modules-through-contracts',
  'no-parent-relative-imports',
  'contracts-are-leaves',
  'libs-never-import-modules',
  'no-circular',
] as const;

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: Array<string | { name: string }>;
}
interface CruiseResult {
  modules: Array<{ source: string; dependencies: Array<{ module: string; resolved: string; couldNotResolve: boolean }> }>;
  summary: { violations: Violation[]; error: number; warn: number; totalCruised: number; ruleSetUsed: { forbidden?: Array<{ name: string; severity: string }> } };
}

/** Runs `depcruise --config .dependency-cruiser.cjs --output-type json <dirs>` with `cwd` as base directory. */
function cruise(cwd: string, dirs: string[]): Promise<CruiseResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [depcruiseBin, '--config', config, '--output-type', 'json', ...dirs],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      // depcruise exits non-zero when there are error-level violations; the JSON is still on stdout.
      (error, stdout, stderr) => {
        try {
          done(JSON.parse(stdout) as CruiseResult);
        } catch {
          fail(new Error(`dependency-cruiser failed in ${cwd}: ${error?.message ?? ''}\n${stderr}\n${stdout.slice(0, 2000)}`));
        }
      },
    );
  });
}

/** `rule: from → to`, with npm packages shortened to `npm:<name>` and cycles to their sorted members. */
function describe_(v: Violation): string {
  if (v.cycle?.length) {
    const members = [...new Set([v.from, ...v.cycle.map((c) => (typeof c === 'string' ? c : c.name))])].sort();
    return `${v.rule.name}: ${members.join(' ↔ ')}`;
  }
  const to = v.to.replace(/^(?:\.\.\/)*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, 'npm:$1');
  return `${v.rule.name}: ${v.from} → ${to}`;
}

const readable = (violations: Violation[]): string =>
  violations.length === 0 ? '(none)' : violations.map((v) => `  [${v.rule.severity}] ${describe_(v)}`).join('\n');

let real: CruiseResult;
let fixture: CruiseResult;

beforeAll(async () => {
  [real, fixture] = await Promise.all([cruise(repoRoot, ['src', 'libs']), cruise(fixtureRoot, ['src', 'libs'])]);
});

describe('architecture rules (.dependency-cruiser.cjs)', () => {
  it('defines every rule, at severity error', () => {
    const defined = (real.summary.ruleSetUsed.forbidden ?? []).map((r) => `${r.name}:${r.severity}`).sort();
    expect(defined).toEqual(RULES.map((name) => `${name}:error`).sort());
  });

  it('src and libs have no violations', () => {
    expect(real.summary.totalCruised).toBeGreaterThan(0);
    const violations = real.summary.violations;
    if (violations.length > 0) {
      throw new Error(
        `${violations.length} architecture violation(s) - see the rule comments in .dependency-cruiser.cjs ` +
          `(or run: npx depcruise --config .dependency-cruiser.cjs src libs):\n${readable(violations)}`,
      );
    }
  });

  it('resolves every import in src and libs (path aliases included), so no rule is bypassed by an unresolved path', () => {
    const unresolved = real.modules.flatMap((m) =>
      m.dependencies.filter((d) => d.couldNotResolve).map((d) => `  ${m.source} → ${d.module}`),
    );
    expect(unresolved).toEqual([]);
  });

  describe('catches each rule being broken (fixtures/rule-breakers)', () => {
    it.each(RULES)('%s', (rule) => {
      const hits = fixture.summary.violations.filter((v) => v.rule.name === rule);
      if (hits.length === 0) {
        throw new Error(`rule "${rule}" reported nothing on the fixture; all violations found:\n${readable(fixture.summary.violations)}`);
      }
    });

    it('reports exactly the intended violations (nothing missed, no false positives on the allowed imports)', () => {
      const m = 'src/modules';
      const expected = [
        // domain-is-pure
        `domain-is-pure: ${m}/alpha/domain/nest-in-domain.ts → npm:@nestjs/common`,
        `domain-is-pure: ${m}/alpha/domain/nest-in-domain.ts → npm:@nestjs/typeorm`,
        `domain-is-pure: ${m}/alpha/domain/db-in-domain.ts → npm:typeorm`,
        `domain-is-pure: ${m}/alpha/domain/db-in-domain.ts → npm:pg`,
        `domain-is-pure: ${m}/alpha/domain/http-in-domain.ts → http`,
        `domain-is-pure: ${m}/alpha/domain/http-in-domain.ts → npm:express`,
        `domain-is-pure: ${m}/alpha/domain/http-in-domain.ts → npm:supertest`,
        `domain-is-pure: ${m}/alpha/domain/layers-in-domain.ts → ${m}/alpha/application/place-order.handler.ts`,
        `domain-is-pure: ${m}/alpha/domain/layers-in-domain.ts → ${m}/alpha/infrastructure/order.repository.ts`,
        `domain-is-pure: ${m}/alpha/domain/layers-in-domain.ts → ${m}/alpha/order.http.controller.ts`,
        `domain-is-pure: libs/eventsourcing/counter.decider.ts → npm:@nestjs/common`,
        // modules-only-through-contracts (relative and @modules/ alias)
        `modules-only-through-contracts: ${m}/alpha/application/place-order.handler.ts → ${m}/beta/domain/invoice.ts`,
        `modules-only-through-contracts: ${m}/alpha/application/place-order.handler.ts → ${m}/beta/application/bill.handler.ts`,
        // app-uses-modules-through-contracts: the app root and the CLI (their module wiring and contracts imports pass)
        `app-uses-modules-through-contracts: src/app.module.ts → ${m}/alpha/infrastructure/order.repository.ts`,
        `app-uses-modules-through-contracts: src/cli/report.command.ts → ${m}/alpha/application/place-order.handler.ts`,
        `app-uses-modules-through-contracts: src/cli/report.command.ts → ${m}/beta/domain/invoice.ts`,
        // no-parent-relative-imports (./ imports pass)
        `no-parent-relative-imports: ${m}/alpha/application/place-order/place-order.request.ts → ${m}/alpha/application/place-order.handler.ts`,
        `no-parent-relative-imports: ${m}/alpha/application/place-order/place-order.request.ts → ${m}/alpha/contracts/alpha.ids.ts`,
        `no-parent-relative-imports: ${m}/alpha/application/place-order.handler.ts → ${m}/beta/contracts/beta.events.ts`,
        `no-parent-relative-imports: ${m}/alpha/application/place-order.handler.ts → ${m}/beta/domain/invoice.ts`,
        // contracts-are-leaves
        `contracts-are-leaves: ${m}/alpha/contracts/leaky.contract.ts → ${m}/alpha/domain/order.ts`,
        `contracts-are-leaves: ${m}/alpha/contracts/leaky.contract.ts → ${m}/alpha/application/place-order.handler.ts`,
        `contracts-are-leaves: ${m}/alpha/contracts/leaky.contract.ts → ${m}/beta/contracts/beta.events.ts`,
        // libs-never-import-modules
        `libs-never-import-modules: libs/common/knows-the-app.ts → ${m}/alpha/contracts/alpha.events.ts`,
        // no-circular: the runtime cycle only, not the type-only one (customer.ts ↔ customer-ref.ts)
        `no-circular: ${m}/beta/domain/invoice-line.ts ↔ ${m}/beta/domain/invoice.ts`,
      ];
      const actual = [...new Set(fixture.summary.violations.map(describe_))];
      expect(actual.sort()).toEqual(expected.sort());
    });
  });
});
