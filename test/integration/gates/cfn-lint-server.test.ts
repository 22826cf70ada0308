import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runAllGates, runCfnLint, spawnCfnLint, type CfnLintRunner } from '../../../src/pipeline/adapters/tools/run-gates.js';
import type { ProcessResult } from '../../../src/pipeline/adapters/tools/run-process.js';
import { askCfnLintServer, cfnLintThrough, sharedCfnLint } from '../../support/cfn-lint-server.js';
import { startCfnLintServer } from '../../support/cfn-lint-server-process.js';
import { waitedChildrenCpuSeconds } from '../../support/file-cpu.js';

/**
 * The run's cfn-lint server (test/support/cfn-lint-fork-server.py), which the gates tests lint
 * through, prints what the `cfn-lint` command prints: the same standard output byte for byte, the
 * same exit status and standard error, over templates with findings (a resource type the region
 * lacks, an unknown IAM action) and one that does not parse; and cfn-lint's own failure (an unknown
 * region) comes back as the same exit status.
 * The product's own assembly was compared the same way by hand (docs/fast-feedback.md, "cfn-lint
 * from one process"): its ~500 KB of output were identical. Runs of two regions side by side, each
 * a fork that sees nothing of the other: cfn-lint-gate.test.ts.
 */
const directory = mkdtempSync(join(tmpdir(), 'kiro-lint-server-'));
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});
const write = (file: string, text: string): string => {
  writeFileSync(join(directory, file), text);
  return join(directory, file);
};
// Three small templates: a command start is most of what this file costs (~1.5 CPU-s; the policy fixtures on top would add ~1 CPU-s to each side).
const templates = [
  write('public-repository.template.json', JSON.stringify({ Resources: { Repository: { Type: 'AWS::ECR::PublicRepository', Properties: { RepositoryName: 'kiro' } } } })),
  write(
    'unknown-action.template.json',
    JSON.stringify({ Resources: { Policy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObjct'], Resource: '*' }] } } } } }),
  ),
  write('broken.template.json', '{ "Resources": { "Bucket": '),
];

describe("the run's cfn-lint server", () => {
  it('prints what the cfn-lint command prints and exits as it does, findings and a template that does not parse included', async () => {
    // Named relative to the working directory, which the run must take from the request as a process takes it from its parent.
    const args = ['-f', 'json', '--regions', 'us-west-2', '--', ...templates.map((template) => basename(template))];
    const [command, served] = await Promise.all([spawnCfnLint(args, directory), sharedCfnLint()(args, directory)]);
    expect(served).toEqual(command);
    // Not two empty outputs: the region's missing type, the unknown action and the parse error are there.
    expect(command.exitCode & 2).toBe(2);
    expect(command.stdout).toContain('E3006');
    expect(command.stdout).toContain('W3037');
    expect(command.stdout).toContain('E0000');
  }, 120_000);

  it("lints with the asking process's environment: without --regions, its AWS_REGION", async () => {
    vi.stubEnv('AWS_REGION', 'us-west-2');
    try {
      const result = await sharedCfnLint()(['-f', 'json', '--', 'public-repository.template.json'], directory);
      expect(result.stdout).toContain("'AWS::ECR::PublicRepository' does not exist in 'us-west-2'");
    } finally {
      vi.unstubAllEnvs();
    }
  }, 120_000);

  it("answers with cfn-lint's exit status when cfn-lint stops itself (a region its release does not know: 32)", async () => {
    const result = await sharedCfnLint()(['-f', 'json', '--regions', 'xx-nowhere-1', '--', templates[0] ?? ''], directory);
    expect(result.exitCode).toBe(32);
  }, 120_000);

  it('says when python3 cannot import cfn-lint, and the runner then runs its fallback, from then on', async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'kiro-no-cfnlint-'));
    // A package of the same name ahead of site-packages, which fails to import as a missing one would.
    writeFileSync(join(hidden, 'cfnlint.py'), 'raise ImportError("no cfnlint here")\n');
    const server = await startCfnLintServer({ ...process.env, PYTHONPATH: hidden });
    try {
      expect(await askCfnLintServer(server.socketPath, ['--version'], directory)).toEqual({ unavailable: expect.stringContaining('no cfnlint here') as unknown });
      const asked: string[][] = [];
      const fallback: CfnLintRunner = (args) => {
        asked.push([...args]);
        return Promise.resolve({ exitCode: 0, stdout: 'fallback', stderr: '' });
      };
      const lint = cfnLintThrough(server.socketPath, fallback);
      expect(await lint(['--version'], directory)).toEqual({ exitCode: 0, stdout: 'fallback', stderr: '' });
      expect(await lint(['--help'], directory)).toMatchObject({ stdout: 'fallback' });
      expect(asked).toEqual([['--version'], ['--help']]);
    } finally {
      await server.stop();
      rmSync(hidden, { recursive: true, force: true });
    }
  }, 60_000);

  it("stops only after the runs it forked have ended, so their CPU is counted in its parent's (Vitest's main process, in the suite)", async () => {
    // A stand-in cfnlint whose command line says it has started, then burns ~0.25 CPU-s and prints: stop() comes mid-run.
    const fake = mkdtempSync(join(tmpdir(), 'kiro-fake-cfnlint-'));
    mkdirSync(join(fake, 'cfnlint'));
    writeFileSync(join(fake, 'cfnlint', '__init__.py'), '');
    writeFileSync(
      join(fake, 'cfnlint', 'runner.py'),
      ['import time', 'def main():', '    open("started", "w").close()', '    end = time.process_time() + 0.25', '    while time.process_time() < end:', '        pass', '    print("fake")', ''].join('\n'),
    );
    const children = (): number => waitedChildrenCpuSeconds(readFileSync('/proc/self/stat', 'utf8'));
    const before = children();
    const server = await startCfnLintServer({ ...process.env, PYTHONPATH: fake });
    try {
      const answered = askCfnLintServer(server.socketPath, ['--version'], fake);
      while (!existsSync(join(fake, 'started'))) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.stop();
      const answer = await answered;
      expect(answer).toMatchObject({ exitCode: 0, stdout: 'fake\n' });
      expect(children() - before).toBeGreaterThanOrEqual('cpuSeconds' in answer ? answer.cpuSeconds - 0.02 : Infinity);
    } finally {
      await server.stop();
      rmSync(fake, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails a run whose connection ends without an answer (a fork that died) instead of waiting for ever', async () => {
    const socketPath = join(directory, 'dies.sock');
    // Reads the request and drops the connection, as a fork that crashed before it answered.
    const dying = createServer((connection) => connection.once('data', () => connection.destroy()));
    await new Promise<void>((resolve) => dying.listen(socketPath, resolve));
    try {
      const lint = cfnLintThrough(socketPath, (): Promise<ProcessResult> => Promise.reject(new Error('not the fallback')));
      await expect(lint(['--version'], directory)).rejects.toThrow(/ended without an answer/);
    } finally {
      await new Promise((resolve) => dying.close(resolve));
    }
  });

  it('runs nothing for runCfnLint and runAllGates as the CLI calls them (no runner) when there is nothing to lint or no assembly', async () => {
    // No stacks: nothing to lint, no process started.
    expect(await runCfnLint(directory, [])).toEqual({ gate: 'cfn-lint', templatesChecked: 0, findings: [] });
    // Not a cloud assembly: the CLI's error, before any tool runs.
    await expect(runAllGates(directory)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
