import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { createPlanCommand } from '../../../../src/cli/commands/plan.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

const CHANGES: Readonly<Record<string, string[]>> = {
  'a..b': ['src/worker/poller.ts', 'README.md'],
  'b..c': ['src/worker/poller.ts', 'infrastructure/lib/stacks/core-infrastructure-stack.ts'],
  'c..d': ['package-lock.json'],
};

const command = createPlanCommand({
  config: () => loadDeploymentConfig(),
  sourceDiff: () => ({
    changedPaths: (from, to) => {
      const paths = CHANGES[`${from}..${to}`];
      return paths === undefined ? Promise.reject(new ConfigurationError(`unknown revision ${to}`)) : Promise.resolve(paths);
    },
  }),
});

async function plan(...argv: string[]): Promise<{ code: number; out: RecordingOutput }> {
  const out = new RecordingOutput();
  const code = await runCli([command], ['plan', ...argv], { out, env: {}, cwd: '/repo' });
  return { code, out };
}

describe('kiro-cd plan (in process)', () => {
  it.each([
    ['application-only changes skip every infrastructure stage', ['a', 'b'], 'skip', 'Test-Infrastructure skipped'],
    ['a change under infrastructure/ deploys it everywhere', ['b', 'c'], 'deploy', 'Test-Infrastructure run'],
    ['a lockfile change feeds the templates, so it deploys too', ['c', 'd'], 'deploy', 'Test-Infrastructure run'],
  ])('%s', async (_why, range, infrastructure, stage) => {
    const { code, out } = await plan(...range);
    expect(code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`test\\s+${infrastructure}\\s+${stage}`));
    expect(out.stdout).toMatch(new RegExp(`production\\s+${infrastructure}`));
  });

  it('says the stacks were compared by source and that no cdk diff ran', async () => {
    const [skipped, deployed] = await Promise.all([plan('a', 'b'), plan('b', 'c')]);
    for (const { out } of [skipped, deployed]) {
      expect(out.stdout).not.toMatch(/cdk diff: no differences|cdk diff: \S+ differs/);
      expect(out.stdout).toContain('cdk diff not run');
    }
    expect(skipped.out.stdout).toContain('KiroWorker-Test-Core: no file that feeds its template changed (compared by source; cdk diff not run)');
    expect(deployed.out.stdout).toContain('KiroWorker-Test-Core: 1 infrastructure file(s) changed (compared by source; cdk diff not run)');
  });

  it('limits to one environment and prints JSON', async () => {
    const { out } = await plan('b', 'c', '--environment', 'staging', '--output', 'json');
    const plans = JSON.parse(out.stdout) as { environment: string; decision: { infrastructurePaths: string[] } }[];
    expect(plans.map((entry) => entry.environment)).toEqual(['staging']);
    expect(plans[0]?.decision.infrastructurePaths).toEqual(['infrastructure/lib/stacks/core-infrastructure-stack.ts']);
  });

  it.each([
    [['a'], 'plan takes exactly two commits'],
    [['a', 'b', 'c'], 'plan takes exactly two commits'],
    [['a', 'b', '--output', 'yaml'], '--output must be "json" or "table"'],
    [['a', 'b', '--environment', 'qa'], '--environment must be one of'],
    [['a', 'zzz'], 'unknown revision zzz'],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, out } = await plan(...argv);
    expect(code).toBe(2);
    expect(out.stderr).toContain(message);
  });
});
