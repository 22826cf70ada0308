import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { findFreePort, MOTO_LAUNCHER, startMotoServer } from '../../../src/local/moto-server.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';

/**
 * The race tests (worker locks, pollers, the rollback ledger) rely on the emulator applying a
 * conditional write atomically, as DynamoDB does. moto_server serves each request on its own thread
 * and does not (two `attribute_not_exists` puts could both succeed); src/local/moto-server.ts runs it
 * one request at a time. This pins that: a burst of concurrent conditional puts on one key, many
 * times over, has exactly one winner each time. (A threaded emulator loses this race only now and
 * then, under load, so passing here once proves less than failing would; the serial server makes
 * the loss impossible rather than unlikely.)
 */
describe('the local emulator applies conditional writes atomically', () => {
  useFreshMoto();

  it('lets exactly one of 16 concurrent attribute_not_exists puts win, 25 times in a row', async () => {
    const dynamodb = new DynamoDBClient(motoClientConfig());
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'race',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let round = 0; round < 25; round += 1) {
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, writer) =>
          dynamodb.send(
            new PutItemCommand({
              TableName: 'race',
              Item: { pk: { S: `key-${String(round)}` }, writer: { N: String(writer) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled'), `round ${String(round)}`).toHaveLength(1);
    }
  });
});

describe('starting the local emulator', () => {
  it('names the fix at once when python3 cannot be found, instead of waiting out its readiness limit', async () => {
    const started = performance.now();
    await expect(startMotoServer({ python: '/nonexistent/kiro/python3', timeoutMs: 60_000 })).rejects.toThrow(/python3 is not on the PATH\. .*pip install "moto\[server\]"/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

/**
 * Stopping an emulator ends it at once (moto-launcher.py, change 5): Python's clean-up after
 * sys.exit cost ~0.4 CPU-s and ~0.45 s for each emulator at the end of every run. A sitecustomize
 * module on PYTHONPATH registers an atexit handler, which runs after sys.exit and not after os._exit.
 */
describe('stopping the local emulator', () => {
  it('ends the process on SIGTERM without running the interpreter\'s exit handlers', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kiro-moto-exit-'));
    try {
      const loaded = join(directory, 'loaded');
      const exitHandlersRan = join(directory, 'exit-handlers-ran');
      writeFileSync(
        join(directory, 'sitecustomize.py'),
        `import atexit\nopen(${JSON.stringify(loaded)}, "w").close()\natexit.register(lambda: open(${JSON.stringify(exitHandlersRan)}, "w").close())\n`,
      );
      const port = await findFreePort();
      const child = spawn('python3', [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
        env: { ...process.env, PYTHONPATH: directory, KIRO_MOTO_PROFILE: '' },
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
      const deadline = performance.now() + 60_000;
      for (;;) {
        const response = await fetch(`http://127.0.0.1:${String(port)}/moto-api/data.json`).catch(() => undefined);
        if (response?.ok === true) break;
        if (performance.now() > deadline) throw new Error('the launcher did not answer within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(loaded), 'sitecustomize.py was imported, so its atexit handler was registered').toBe(true);
      expect(existsSync(exitHandlersRan)).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
