import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, type RepositoryCopy } from '../../support/repository-copy.js';

/**
 * `npm start` and `npm run synth` as processes on a copy of the repository whose configuration or
 * stack code has been broken on purpose (issue 14, items 1 and 9).
 */
describe('a failing synthesis', () => {
  let repo: RepositoryCopy;
  beforeAll(() => {
    repo = copyRepository();
  });
  afterAll(() => {
    repo.remove();
  });

  it('npm start: a throw in the app, with a stale validation report from an earlier run, is shown and fails the main job', async () => {
    // What an earlier, successful synthesis leaves behind.
    mkdirSync(join(repo.dir, 'cdk.out'), { recursive: true });
    writeFileSync(join(repo.dir, 'cdk.out', 'validation-report.json'), JSON.stringify({ pluginReports: [] }));
    repo.write('infrastructure/bin/synth.ts', "throw new Error('a stack threw: bucket name taken');\n");
    const run = await repo.tsx('src/cli/main-job.ts');
    expect(run.stdout).not.toContain('Main job passed');
    expect(run.stderr).toContain('a stack threw: bucket name taken');
    expect(run.code).not.toBe(0);
  }, 60_000);

  it('npm run synth: a configuration error prints only the problems, in the project\'s words, and exits 2, before the app\'s stacks are loaded', async () => {
    repo.write('infrastructure/bin/synth.ts', (await import('node:fs')).readFileSync(join(process.cwd(), 'infrastructure/bin/synth.ts'), 'utf8'));
    // app.ts checks the configuration before it imports the stacks and the policy plugins (~1.6 CPU-s
    // of loading): a mistake is reported without them. Loaded anyway, this module of the copy says so.
    repo.edit('infrastructure/lib/kiro-cd-app.ts', (text) => `throw new Error("the app's stacks were loaded before the configuration was checked");\n${text}`);
    repo.edit('infrastructure/lib/config/environments.ts', (text) => text.replace("account: '222222222222'", 'account: 222222222222').replace("region: 'us-east-1',\n      stackPrefix: 'KiroWorker-Staging'", "region: 'mars-1',\n      stackPrefix: 'KiroWorker-Staging'"));
    const run = await repo.tsx('infrastructure/bin/synth.ts');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('environment "test", key "account": got 222222222222; must be a 12-digit AWS account id in quotes');
    expect(run.stderr).toContain('environment "staging", key "region": got "mars-1"');
    // No stack trace, no object dump, no library wording.
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('problems: [');
    expect(run.stderr).not.toContain('Invalid input');
  }, 60_000);
});
