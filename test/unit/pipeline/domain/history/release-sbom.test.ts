import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../../../src/shared/config/schema.js';
import { normaliseCodePipelineEvent } from '../../../../../src/pipeline/domain/history/codepipeline-event.js';
import { foldDeployments, mayChangeRecords } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import type { HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';

/**
 * Issue 18, item 2: the release's SBOM is kept with it. The Build action writes the SBOMs into its
 * output artifact (cdk.out/sbom); CodePipeline's "Action Execution State Change" event of that
 * action, in state SUCCEEDED, names the artifact's S3 location (`output-artifacts[].s3location`, as
 * the Source action's event in the fixture does), and the record of every environment the
 * execution deploys carries it.
 */

const events = JSON.parse(readFileSync(new URL('../../../../fixtures/events/codepipeline-execution-succeeded.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
const ARTIFACT = { name: 'Build_Synth_Output', s3location: { bucket: 'kiro-artifacts-111111111111', key: 'kiro-codebu/Build_Synt/Qw3rTy9' } };

/** The fixture's events with the Build action's SUCCEEDED event carrying its output artifact. */
function withBuildOutput(): Record<string, unknown>[] {
  return events.map((event) => {
    const detail = event.detail as Record<string, unknown>;
    return detail.stage === 'Build' && detail.action === 'Synth' && detail.state === 'SUCCEEDED' ? { ...event, detail: { ...detail, 'output-artifacts': [ARTIFACT] } } : event;
  });
}

function normalise(raw: readonly unknown[]): HistoryEvent[] {
  return raw.flatMap((event) => {
    const result = normaliseCodePipelineEvent(event, ENVIRONMENT_NAMES);
    return result.kind === 'accepted' ? [...result.events] : [];
  });
}

describe('the SBOM on the deployment record', () => {
  it('takes the Build action\'s output artifact location from its SUCCEEDED event', () => {
    const build = normalise(withBuildOutput()).find((event) => event.kind === 'action' && event.stage === 'Build' && event.state === 'SUCCEEDED');
    expect(build).toMatchObject({ outputArtifacts: [{ name: 'Build_Synth_Output', bucket: 'kiro-artifacts-111111111111', key: 'kiro-codebu/Build_Synt/Qw3rTy9' }] });
  });

  it('puts the SBOM location (artifact object and the folder inside it) on every environment\'s record of the execution', () => {
    const records = foldDeployments(normalise(withBuildOutput()));
    expect(records.map((record) => record.environment).sort()).toEqual(['production', 'staging', 'test']);
    for (const record of records) {
      expect(record.sbom).toEqual({ bucket: 'kiro-artifacts-111111111111', key: 'kiro-codebu/Build_Synt/Qw3rTy9', path: 'sbom/' });
    }
  });

  it('leaves the SBOM off when the Build action named no artifact (a stage rollback re-runs no build)', () => {
    for (const record of foldDeployments(normalise(events))) expect(record).not.toHaveProperty('sbom');
  });

  it('re-derives the records when the Build event arrives after the deployment events (delivery is unordered)', () => {
    const build = normalise(withBuildOutput()).find((event) => event.kind === 'action' && event.stage === 'Build' && event.state === 'SUCCEEDED');
    expect(build).toBeDefined();
    expect(mayChangeRecords(build!)).toBe(true);
  });

  it('ignores output artifacts of actions outside the Build stage (the Source action\'s checkout is no SBOM)', () => {
    const source = normalise(events).find((event) => event.kind === 'action' && event.stage === 'Source' && event.state === 'SUCCEEDED');
    expect(source).not.toHaveProperty('outputArtifacts');
  });
});
