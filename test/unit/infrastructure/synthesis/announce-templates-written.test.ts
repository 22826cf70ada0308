/**
 * The moment `npm run synth` announces a complete cloud assembly (issue 17, item 2: `npm start`
 * starts the rehearsal on it), on a real aws-cdk-lib synthesis: after every template, every nested
 * assembly and the root manifest are written, before any validation plugin runs. If aws-cdk-lib ever
 * changed the order in `synthesize` (core/lib/private/synthesis.js), this is the test that says so.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Stage, Validations, type IPolicyValidationPlugin } from 'aws-cdk-lib';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import { CloudAssemblyBuilder } from 'aws-cdk-lib/cx-api';
import { afterEach, describe, expect, it } from 'vitest';
import { announceTemplatesWritten } from '../../../../infrastructure/lib/synthesis/announce-templates-written.js';

/** What the assembly directory held at one moment. */
interface Seen {
  readonly rootManifest: boolean;
  readonly nestedManifest: boolean;
  readonly templates: readonly boolean[];
  readonly validationReport: boolean;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** An App with a stack of its own and one in a nested Stage, as the product's (the pipeline stack, the application stages). */
function twoLevelApp(outdir: string): App {
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  new CfnTopic(new Stack(app, 'Top', { env: { account: '111111111111', region: 'us-east-1' } }), 'Topic');
  const stage = new Stage(app, 'Production-Application');
  new CfnTopic(new Stack(stage, 'Inner', { env: { account: '111111111111', region: 'us-east-1' } }), 'Topic');
  return app;
}

function look(outdir: string): Seen {
  return {
    rootManifest: existsSync(join(outdir, 'manifest.json')),
    nestedManifest: existsSync(join(outdir, 'assembly-Production-Application', 'manifest.json')),
    templates: [join(outdir, 'Top.template.json'), join(outdir, 'assembly-Production-Application', 'ProductionApplicationInnerA06FA810.template.json')].map((path) => existsSync(path)),
    validationReport: existsSync(join(outdir, 'validation-report.json')),
  };
}

describe('announceTemplatesWritten', () => {
  it('announces once, when every template and manifest is written and before any validation plugin runs', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'kiro-announce-'));
    cleanups.push(() => {
      rmSync(outdir, { recursive: true, force: true });
    });
    const events: string[] = [];
    let atAnnouncement: Seen | undefined;
    cleanups.push(
      announceTemplatesWritten(() => {
        events.push('announced');
        atAnnouncement = look(outdir);
      }),
    );
    const app = twoLevelApp(outdir);
    const plugin: IPolicyValidationPlugin = {
      name: 'order-probe',
      validate: (context) => {
        events.push(`validated ${context.templatePaths.length} templates`);
        return { success: true, violations: [] };
      },
    };
    Validations.of(app).addPlugins(plugin);
    app.synth();

    expect(events).toEqual(['announced', 'validated 2 templates']);
    // The inner stack's file name is CDK's (stage path + id + hash): read it from the manifest rather than trust a guess.
    const nested = JSON.parse(readFileSync(join(outdir, 'assembly-Production-Application', 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
    const innerTemplate = Object.values(nested.artifacts).find((artifact) => artifact.type === 'aws:cloudformation:stack')?.properties?.templateFile;
    expect(innerTemplate).toBe('ProductionApplicationInnerA06FA810.template.json');
    expect(atAnnouncement).toEqual({ rootManifest: true, nestedManifest: true, templates: [true, true], validationReport: false });
    // The plugin ran, so CDK wrote its report: after the announcement.
    expect(look(outdir).validationReport).toBe(true);
  });

  it('leaves CloudAssemblyBuilder as it was once removed', () => {
    const before = CloudAssemblyBuilder.prototype.buildAssembly;
    const remove = announceTemplatesWritten(() => undefined);
    expect(CloudAssemblyBuilder.prototype.buildAssembly).not.toBe(before);
    remove();
    expect(CloudAssemblyBuilder.prototype.buildAssembly).toBe(before);
  });
});
