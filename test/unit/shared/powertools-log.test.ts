import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { powertoolsLog } from '../../../src/shared/telemetry/powertools-log.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines Powertools Logger writes while `act` runs. */
function loggedLines(act: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  act();
  vi.restoreAllMocks();
  return written.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('powertoolsLog', () => {
  it('writes each entry as one Powertools JSON line: its level, message and context fields, the service name and a timestamp', () => {
    const log = powertoolsLog(new Logger({ serviceName: 'kiro-test', logLevel: 'DEBUG' }));
    const lines = loggedLines(() => {
      log({ level: 'error', message: 'Rejected a malformed event.', eventId: 'e-1', reason: 'detail.state: invalid' });
      log({ message: 'Recorded a pipeline fact.', kind: 'stage' });
      log({ level: 'warn', message: 'Commit status not set.' });
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'ERROR', message: 'Rejected a malformed event.', service: 'kiro-test', eventId: 'e-1', reason: 'detail.state: invalid' });
    expect(lines[1]).toMatchObject({ level: 'INFO', message: 'Recorded a pipeline fact.', kind: 'stage' });
    expect(lines[2]).toMatchObject({ level: 'WARN' });
    expect(typeof lines[0]?.timestamp).toBe('string');
  });

  it('leaves out entries below the logger\'s level (Lambda\'s log-level control sets it)', () => {
    const log = powertoolsLog(new Logger({ serviceName: 'kiro-test', logLevel: 'WARN' }));
    const lines = loggedLines(() => {
      log({ message: 'routine' });
      log({ level: 'warn', message: 'worth a look' });
    });
    expect(lines.map((line) => line.message)).toEqual(['worth a look']);
  });
});
