import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDetection } from '../../../infrastructure/lib/detection-bundle.js';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { DETECTION_TOOL_DIRECTORY, detectionAction } from '../../../src/pipeline/domain/plan/codebuild-actions.js';

const run = promisify(execFile);
const CDK_VERSION = (JSON.parse(await readFile(new URL('../../../node_modules/aws-cdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The Detect actions run change detection from the Build's tool artifact, without `npm ci`
 * (docs/pipeline.md, "Change detection without npm ci"). This test plays one Detect action in a
 * checkout that has no node_modules: the tool directory the Build writes, the action's own install
 * commands and build commands from the plan, run by the shell as CodeBuild would run them.
 */
describe('the bundled change detection of the Detect actions', () => {
  let checkout: string;
  const environment = loadDeploymentConfig().environments.find((candidate) => candidate.name === 'test');
  if (environment === undefined) throw new Error('environments.ts has no test environment');
  const action = detectionAction(environment, {});
  const git = (...args: string[]) => run('git', args, { cwd: checkout });
  const shell = (command: string, env: Record<string, string> = {}) => run('sh', ['-c', command], { cwd: checkout, env: { ...process.env, ...env } });

  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'kiro-detect-'));
    await bundleDetection(join(checkout, DETECTION_TOOL_DIRECTORY));
    // A checkout with a previous release and an infrastructure change on top of it.
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'ci@example.com');
    await git('config', 'user.name', 'CI');
    await writeFile(join(checkout, 'README.md'), 'release 1\n');
    await git('add', 'README.md');
    await git('commit', '-q', '-m', 'release 1');
    await mkdir(join(checkout, 'infrastructure', 'lib'), { recursive: true });
    await writeFile(join(checkout, 'infrastructure', 'lib', 'core.ts'), 'export const table = 1;\n');
    await git('add', 'infrastructure');
    await git('commit', '-q', '-m', 'change the core stack');
    // An assembly without infrastructure stacks: the verdict comes from git alone, no AWS call.
    await mkdir(join(checkout, 'cdk.out'));
    await writeFile(join(checkout, 'cdk.out', 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: {} }));
    for (const command of action.installCommands) await shell(command);
  }, 120_000);

  afterAll(async () => {
    await rm(checkout, { recursive: true, force: true });
  });

  it('installs nothing from a registry: no npm ci, only the tool artifact', () => {
    expect(action.installCommands.join('\n')).not.toMatch(/\bnpm (ci|install)\b/);
    expect(action.commands.join('\n')).not.toMatch(/bin\/kiro-cd\.js|\bnpx\b|\btsx\b/);
  });

  it("puts the pinned CDK CLI where detect-changes looks for cdk first, the checkout's node_modules/.bin", async () => {
    const { stdout } = await shell('node_modules/.bin/cdk --version');
    expect(stdout).toContain(CDK_VERSION);
  });

  it("runs the action's commands on plain Node.js and exports the environment's verdict", async () => {
    const [head, previous] = (await git('rev-list', '-n', '2', 'HEAD')).stdout.trim().split('\n');
    // What the action runs, with the previous release given by --from instead of the history table.
    const commands = action.commands.map((command) => command.replace('$CODEBUILD_RESOLVED_SOURCE_VERSION', `${head ?? ''} --from ${previous ?? ''}`));
    const { stdout } = await shell([...commands, 'echo "exported INFRA_TEST=$INFRA_TEST"'].join(' && '));
    expect(stdout).toContain('infrastructure/lib/core.ts');
    expect(stdout).toContain('exported INFRA_TEST=deploy');
    expect(await readFile(join(checkout, 'reports', 'infra-test.env'), 'utf8')).toBe('INFRA_TEST=deploy\n');
  }, 60_000);
});
