import { describe, expect, it } from 'vitest';
import { epochSeconds, lockIsFree, newLease, type WorkItemLock } from '../../../../src/worker/domain/lock.js';

const held = (leaseExpiresAt: number): WorkItemLock => ({ workItemId: 'wi-1', owner: 'poller-a', leaseExpiresAt, acquiredAt: '2026-03-02T10:00:00.000Z' });

describe('lockIsFree', () => {
  it.each<[string, WorkItemLock | undefined, number, boolean]>([
    ['no lock at all', undefined, 1000, true],
    ['a live lease', held(1001), 1000, false],
    ['a lease ending exactly now counts as expired (same <= as the DynamoDB condition)', held(1000), 1000, true],
    ['a stale lease from a crashed poller can be taken over', held(900), 1000, true],
  ])('%s', (_why, existing, now, free) => {
    expect(lockIsFree(existing, now)).toBe(free);
  });
});

describe('newLease', () => {
  it('expires leaseSeconds after now, in epoch seconds', () => {
    const now = new Date('2026-03-02T10:00:00.900Z');
    expect(newLease('wi-1', 'poller-a', now, 60)).toEqual({
      workItemId: 'wi-1',
      owner: 'poller-a',
      leaseExpiresAt: epochSeconds(now) + 60,
      acquiredAt: '2026-03-02T10:00:00.900Z',
    });
    expect(epochSeconds(now)).toBe(1772445600);
  });

  it.each([0, -5, 1.5])('refuses a lease of %s seconds', (seconds) => {
    expect(() => newLease('wi-1', 'p', new Date(0), seconds)).toThrow(/positive whole number/);
  });
});
