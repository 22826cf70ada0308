/**
 * The dependency directions of STYLE.md §11, as eslint.config.mjs enforces them: src/ never imports
 * infrastructure/, the worker imports only src/worker and src/shared, the pipeline nothing from the
 * worker. Runs ESLint's Node API with the boundary blocks the real configuration spreads into itself
 * (no type information, so it stays fast), on fixture texts and on the real tree. A dynamic `import()`
 * or `require()` with a literal target is held to the same patterns through no-restricted-syntax; one
 * whose target is computed at run time (the configuration data file, src/shared/config/environments-file.ts)
 * cannot be checked statically.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface BoundaryModule {
  readonly default: readonly Linter.Config[];
  readonly importBoundaries: readonly Linter.Config[];
  readonly SRC_AREAS_OUTSIDE_WORKER: readonly string[];
}

let boundaries: BoundaryModule;
let eslint: ESLint;

beforeAll(async () => {
  boundaries = (await import(pathToFileURL(`${root}eslint.config.mjs`).href)) as BoundaryModule;
  // The security plugin is registered (its rules stay off) so that the tree's reasoned
  // `eslint-disable-next-line security/...` comments name a known rule.
  const { securityRules } = (await import(pathToFileURL(`${root}eslint.security.mjs`).href)) as { securityRules: { plugins: Linter.Config['plugins'] } };
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    // tsconfigRootDir named: without it typescript-eslint infers the directory from every
    // eslint.config.* that has read its configs in this process, and refuses to parse when there is
    // more than one (Vitest runs other files in the same worker, static-checks.test.ts among them,
    // which loads copies of the configuration from temporary projects).
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { tsconfigRootDir: root } }, plugins: securityRules.plugins, linterOptions: { reportUnusedDisableDirectives: 'off' } }, ...boundaries.importBoundaries],
  });
});

/** Rules whose options a later config block replaces instead of adding to. */
const REPLACED_BETWEEN_BLOCKS = ['no-restricted-imports', 'no-restricted-syntax'] as const;

/** The entries a rule setting restricts (import patterns and paths, or syntax selectors), as JSON. */
function ruleEntries(rule: (typeof REPLACED_BETWEEN_BLOCKS)[number], setting: Linter.RuleEntry | undefined): string[] {
  if (!Array.isArray(setting)) return [];
  const options = setting.slice(1) as unknown[];
  if (rule === 'no-restricted-syntax') return options.map((option) => JSON.stringify(option));
  return options.flatMap((option) => {
    const { patterns = [], paths = [] } = option as { patterns?: unknown[]; paths?: unknown[] };
    return [...patterns, ...paths].map((entry) => JSON.stringify(entry));
  });
}

async function violations(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: `${root}${filePath}` });
  return result!.messages.map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('import boundaries', () => {
  describe('in a worker that has loaded another project\'s ESLint configuration', () => {
    let otherProject: string;
    beforeAll(async () => {
      // What static-checks.test.ts does in the same Vitest worker: an eslint.config.mjs elsewhere
      // reads typescript-eslint's configs, which makes its directory a candidate tsconfigRootDir.
      otherProject = mkdtempSync(join(tmpdir(), 'kiro-boundaries-other-'));
      const config = join(otherProject, 'eslint.config.mjs');
      writeFileSync(config, `import tseslint from ${JSON.stringify(import.meta.resolve('typescript-eslint'))};\nexport default [...tseslint.configs.recommended];\n`);
      await import(pathToFileURL(config).href);
    });
    afterAll(() => { rmSync(otherProject, { recursive: true, force: true }); });

    it('still parses and reports the boundary, not a tsconfigRootDir error', async () => {
      expect(await violations('src/worker/x.ts', "import { x } from '../rehearsal/x.js';\n")).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
    });
  });

  it('are part of the configuration `npm run lint` uses, not a copy', () => {
    for (const block of boundaries.importBoundaries) expect(boundaries.default).toContain(block);
  });

  it.each([
    // Each row: a wrong-way import the rule must block, and the message that names the boundary.
    ['src/cli/commands/x.ts', "import { environmentsConfig } from '../../../infrastructure/lib/config/environments.js';", /never imports infrastructure/],
    ['src/pipeline/domain/x.ts', "import type { X } from '../../../infrastructure/lib/plan/x.js';", /never imports infrastructure/],
    ['src/rehearsal/x.ts', "export { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';", /never imports infrastructure/],
    ['src/worker/handlers/x.ts', "import { systemClock } from '../../pipeline/ports/clock.js';", /worker stands alone/],
    ['src/worker/domain/x.ts', "import { x } from '../../cli/main.js';", /worker stands alone/],
    ['src/worker/x.ts', "import { x } from '../rehearsal/x.js';", /worker stands alone/],
    ['src/worker/adapters/x.ts', "import { x } from '../../local/moto-server.js';", /worker stands alone/],
    ['src/pipeline/handlers/x.ts', "import { requireEnv } from '../../worker/handlers/environment.js';", /pipeline imports nothing from the worker/],
    ['src/pipeline/domain/rollback/x.ts', "import type { X } from '../../../worker/domain/x.js';", /pipeline imports nothing from the worker/],
  ])('%s: blocks %s', async (filePath, text, message) => {
    const found = await violations(filePath, text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-imports: /);
    expect(found[0]).toMatch(message);
  });

  it.each([
    // Each row: a wrong-way import written as a dynamic import() or require(), which
    // no-restricted-imports does not see; the same patterns must block it through no-restricted-syntax.
    ['src/cli/commands/x.ts', "const m = await import('../../../infrastructure/lib/config/environments.js');", /never imports infrastructure/],
    ['src/rehearsal/x.ts', 'const m = await import(`../../infrastructure/lib/kiro-cd-app.js`);', /never imports infrastructure/],
    ['src/pipeline/handlers/x.ts', "const m = require('../../worker/handlers/environment.js');", /pipeline imports nothing from the worker/],
    ['src/worker/handlers/x.ts', "const m = await import('../../pipeline/ports/clock.js');", /worker stands alone/],
    ['src/worker/domain/x.ts', "const m = require('../../cli/main.js');", /worker stands alone/],
    ['src/pipeline/domain/x.ts', "const m = await import('@aws-sdk/client-dynamodb');", /Decision code is pure/],
    ['src/pipeline/domain/x.ts', "const m = await import('node:fs');", /Decision code is pure/],
    ['src/worker/domain/x.ts', "const m = require('aws-cdk-lib');", /Decision code is pure/],
    ['src/pipeline/domain/x.ts', "const m = await import('../adapters/aws/x.js');", /never on adapters or handlers/],
  ])('%s: blocks the dynamic %s', async (filePath, text, message) => {
    const found = await violations(filePath, text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-syntax: /);
    expect(found[0]).toMatch(message);
  });

  it.each([
    // Each row: a dynamic import in the allowed direction, or one whose target is only known at run time.
    ['src/shared/config/x.ts', 'const m = await import(pathToFileURL(file).href);'],
    ['src/pipeline/handlers/x.ts', "const m = await import('../../shared/environment.js');"],
    ['src/worker/handlers/x.ts', "const m = require('../domain/poll-cycle.js');"],
  ])('%s: allows the dynamic %s', async (filePath, text) => {
    expect(await violations(filePath, text)).toEqual([]);
  });

  it('keeps the time and randomness rules of decision code where the boundary adds its syntax rules', async () => {
    // no-restricted-syntax options replace each other between blocks, as no-restricted-imports' do.
    expect(await violations('src/pipeline/domain/x.ts', 'export const now = Date.now();')).toEqual([expect.stringMatching(/^no-restricted-syntax: Time is a port/)]);
    expect(await violations('src/worker/domain/x.ts', 'export const id = Math.random();')).toEqual([expect.stringMatching(/^no-restricted-syntax: Ids and randomness are ports/)]);
  });

  it('keeps the decision-code rules where the boundary rules add to them', async () => {
    // no-restricted-imports options replace each other between config blocks: the pure-code patterns must survive.
    expect(await violations('src/pipeline/domain/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';")).toEqual([expect.stringMatching(/Decision code is pure/)]);
    expect(await violations('src/worker/domain/x.ts', "import { App } from 'aws-cdk-lib';")).toEqual([expect.stringMatching(/Decision code is pure/)]);
  });

  it.each([
    // Each row: an import in the allowed direction, which must stay allowed.
    ['src/worker/handlers/x.ts', "import { requireEnv } from '../../shared/environment.js';"],
    ['src/worker/handlers/x.ts', "import { poll } from '../domain/poll-cycle.js';"],
    ['src/worker/adapters/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    ['src/pipeline/handlers/x.ts', "import { requireEnv } from '../../shared/environment.js';"],
    ['src/cli/commands/x.ts', "import { planPipeline } from '../../pipeline/domain/plan/pipeline-plan.js';"],
    ['infrastructure/lib/x.ts', "import { SOURCE_ACTION_NAME } from '../../src/pipeline/domain/pipeline-vocabulary.js';"],
  ])('%s: allows %s', async (filePath, text) => {
    expect(await violations(filePath, text)).toEqual([]);
  });

  it.each([
    'src/cli/commands/x.ts',
    'src/local/x.ts',
    'src/shared/x.ts',
    'src/pipeline/handlers/x.ts',
    'src/pipeline/domain/x.ts',
    'src/worker/handlers/x.ts',
    'src/worker/domain/x.ts',
    'infrastructure/lib/x.ts',
  ])('%s: keeps every restricted import and syntax rule that any block of the configuration gives it', async (file) => {
    // Options of these rules REPLACE each other between blocks: a block that adds one (a new syntax
    // rule for all of src/, say) before the boundary blocks is silently dropped. The effective
    // configuration must hold every entry of every block that matches the file.
    const effective = await new ESLint({ cwd: root }).calculateConfigForFile(`${root}${file}`) as Linter.Config;
    const lost: string[] = [];
    for (const block of boundaries.default) {
      for (const rule of REPLACED_BETWEEN_BLOCKS) {
        if (block.rules?.[rule] === undefined) continue;
        // ESLint itself decides whether the block applies to the file (its files and ignores).
        const alone = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'] }, { ...block, plugins: {} }] });
        const applied = (await alone.calculateConfigForFile(`${root}${file}`) as Linter.Config).rules?.[rule];
        const kept = new Set(ruleEntries(rule, effective.rules?.[rule]));
        lost.push(...ruleEntries(rule, applied).filter((entry) => !kept.has(entry)).map((entry) => `${rule}: ${entry}`));
      }
    }
    expect(lost).toEqual([]);
  }, 60_000);

  it('forbids the worker every area of src/ except src/worker and src/shared', () => {
    const areas = readdirSync(`${root}src`, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect([...boundaries.SRC_AREAS_OUTSIDE_WORKER].sort()).toEqual(areas.filter((area) => area !== 'worker' && area !== 'shared').sort());
  });

  it('finds no violation in the real tree', async () => {
    // Only src/ carries boundary rules; infrastructure/ may import anything.
    const results = await eslint.lintFiles(['src/**/*.ts']);
    const found = results.flatMap((result) => result.messages.map((message) => `${result.filePath.slice(root.length)}:${message.line} ${message.message}`));
    expect(found).toEqual([]);
    // Parsing every file of src/ (~150) takes a few seconds alone, far longer on a loaded 2-core machine.
  }, 120_000);
});
