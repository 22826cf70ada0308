import type { AttributeValue, CreateTableCommandInput, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTO_LAUNCHER, startMotoServer, type MotoServer } from '../../../src/local/moto-server.js';
import { motoClientConfig, motoEndpoint, useFreshMoto } from '../../support/moto.js';

/**
 * src/local/moto-launcher.py serves DynamoDB Query without moto's sort of the whole table (the
 * launcher's docstring says why the answers cannot change). This holds it to that: random tables
 * (string or number keys, with or without a sort key, a global and a local secondary index), random
 * items written, overwritten and deleted, then random queries (every key condition operator,
 * filters, ScanIndexForward, Limit, projections, COUNT, every page through ExclusiveStartKey) sent
 * to this worker's emulator (started like every emulator, with the launcher's Query) and to one
 * started with `--plain-query` (moto's own Query). Every page, and every error, must be the same,
 * status and body as the wire carries them.
 * The launcher's other changes are held to the same standard below: DynamoDB response bodies byte
 * for byte, the other services' answers, and for each change a check that it still applies to the
 * installed moto (an upgrade that renames what it replaces fails there).
 */

type KeyType = 'S' | 'N';

const STRINGS = ['a', 'ab', 'abc', 'b', 'ba', 'c'] as const;
// '1' and '1.0' are one number to DynamoDB (and to moto's key lookup, which compares by value).
const NUMBERS = ['-3', '1', '1.0', '2', '2.5', '10'] as const;

function value(type: KeyType): fc.Arbitrary<AttributeValue> {
  return type === 'S' ? fc.constantFrom(...STRINGS).map((s) => ({ S: s })) : fc.constantFrom(...NUMBERS).map((n) => ({ N: n }));
}

/** Partition key values: fewer, so that items share partitions and most queries find some. */
function partitionValue(type: KeyType): fc.Arbitrary<AttributeValue> {
  return type === 'S' ? fc.constantFrom('a', 'ab', 'b').map((s) => ({ S: s })) : fc.constantFrom('1', '1.0', '2').map((n) => ({ N: n }));
}

interface Schema {
  readonly hash: KeyType;
  readonly range?: KeyType;
  readonly gsiHash: KeyType;
  readonly gsiRange?: KeyType;
  /** A local secondary index on `lr` (only with a sort key). */
  readonly lsi: boolean;
}

const schema: fc.Arbitrary<Schema> = fc
  .record({
    hash: fc.constantFrom<KeyType>('S', 'N'),
    range: fc.option(fc.constantFrom<KeyType>('S', 'N'), { nil: undefined }),
    gsiHash: fc.constantFrom<KeyType>('S', 'N'),
    gsiRange: fc.option(fc.constantFrom<KeyType>('S', 'N'), { nil: undefined }),
    lsi: fc.boolean(),
  })
  .map((drawn) => ({
    hash: drawn.hash,
    gsiHash: drawn.gsiHash,
    ...(drawn.range === undefined ? {} : { range: drawn.range }),
    ...(drawn.gsiRange === undefined ? {} : { gsiRange: drawn.gsiRange }),
    lsi: drawn.lsi && drawn.range !== undefined,
  }));

function createTable(name: string, table: Schema): CreateTableCommandInput {
  const definitions = new Map<string, KeyType>([
    ['pk', table.hash],
    ['gk', table.gsiHash],
  ]);
  if (table.range !== undefined) definitions.set('sk', table.range);
  if (table.gsiRange !== undefined) definitions.set('gr', table.gsiRange);
  if (table.lsi) definitions.set('lr', 'S');
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...definitions].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(table.range === undefined ? [] : [{ AttributeName: 'sk', KeyType: 'RANGE' as const }])],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi',
        KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }, ...(table.gsiRange === undefined ? [] : [{ AttributeName: 'gr', KeyType: 'RANGE' as const }])],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    ...(table.lsi
      ? {
          LocalSecondaryIndexes: [
            {
              IndexName: 'lsi',
              KeySchema: [
                { AttributeName: 'pk', KeyType: 'HASH' },
                { AttributeName: 'lr', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }
      : {}),
  };
}

type Write = { readonly kind: 'put'; readonly item: Record<string, AttributeValue> } | { readonly kind: 'delete'; readonly key: Record<string, AttributeValue> };

function writes(table: Schema): fc.Arbitrary<Write[]> {
  const key = fc.record({ pk: partitionValue(table.hash), ...(table.range === undefined ? {} : { sk: value(table.range) }) });
  const put = fc
    .record({
      key,
      gk: fc.option(partitionValue(table.gsiHash), { nil: undefined, freq: 4 }),
      gr: table.gsiRange === undefined ? fc.constant(undefined) : fc.option(value(table.gsiRange), { nil: undefined }),
      lr: table.lsi ? fc.option(value('S'), { nil: undefined }) : fc.constant(undefined),
      a: fc.option(value('N'), { nil: undefined }),
      payload: fc.string({ maxLength: 12 }),
    })
    .map(({ key: itemKey, payload, ...optional }): Write => {
      const item: Record<string, AttributeValue> = { ...itemKey, payload: { S: payload } };
      for (const [name, attribute] of Object.entries(optional)) if (attribute !== undefined) item[name] = attribute;
      return { kind: 'put', item };
    });
  const remove = key.map((itemKey): Write => ({ kind: 'delete', key: itemKey }));
  return fc.array(fc.oneof({ weight: 5, arbitrary: put }, { weight: 1, arbitrary: remove }), { maxLength: 30 });
}

const RANGE_OPERATORS = ['=', '<', '<=', '>', '>=', 'BETWEEN', 'begins_with'] as const;

/** Queries of the table; `TableName` is set when they are sent. */
function queries(table: Schema): fc.Arbitrary<Omit<QueryCommandInput, 'TableName'>[]> {
  const targets: { index?: string; hash: [string, KeyType]; range?: [string, KeyType] }[] = [
    { hash: ['pk', table.hash], ...(table.range === undefined ? {} : { range: ['sk', table.range] as [string, KeyType] }) },
    { index: 'gsi', hash: ['gk', table.gsiHash], ...(table.gsiRange === undefined ? {} : { range: ['gr', table.gsiRange] as [string, KeyType] }) },
    ...(table.lsi ? [{ index: 'lsi', hash: ['pk', table.hash] as [string, KeyType], range: ['lr', 'S'] as [string, KeyType] }] : []),
  ];
  const query = fc
    .record({
      target: fc.constantFrom(...targets),
      operator: fc.option(fc.constantFrom(...RANGE_OPERATORS), { nil: undefined }),
      filter: fc.constantFrom(undefined, 'attribute_exists(a)', 'a > :f'),
      forward: fc.option(fc.boolean(), { nil: undefined }),
      limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      projection: fc.boolean(),
      count: fc.boolean(),
      consistent: fc.integer({ min: 0, max: 5 }).map((drawn) => drawn === 0),
      seed: fc.integer({ min: 0, max: 1_000 }),
    })
    .chain((drawn) => {
      const rangeType = drawn.target.range?.[1];
      return fc.record({ drawn: fc.constant(drawn), hashValue: partitionValue(drawn.target.hash[1]), low: value(rangeType ?? 'S'), high: value(rangeType ?? 'S'), filterValue: value('N') });
    })
    .map(({ drawn, hashValue, low, high, filterValue }): Omit<QueryCommandInput, 'TableName'> => {
      const names: Record<string, string> = { '#h': drawn.target.hash[0] };
      const values: Record<string, AttributeValue> = { ':h': hashValue };
      let condition = '#h = :h';
      const range = drawn.target.range;
      // begins_with takes a string; on a number sort key DynamoDB and moto refuse it, so draw another operator.
      const operator = drawn.operator === 'begins_with' && range?.[1] === 'N' ? '>=' : drawn.operator;
      if (range !== undefined && operator !== undefined) {
        names['#r'] = range[0];
        values[':lo'] = low;
        if (operator === 'BETWEEN') {
          // BETWEEN needs low <= high, or DynamoDB refuses the query: order the two drawn values.
          const [first, second] = [low, high].sort((x, y) => (x.N !== undefined && y.N !== undefined ? Number(x.N) - Number(y.N) : (x.S ?? '').localeCompare(y.S ?? '')));
          values[':lo'] = first ?? low;
          values[':hi'] = second ?? high;
          condition += ' AND #r BETWEEN :lo AND :hi';
        } else if (operator === 'begins_with') {
          condition += ' AND begins_with(#r, :lo)';
        } else {
          condition += ` AND #r ${operator} :lo`;
        }
      }
      if (drawn.filter === 'a > :f') values[':f'] = filterValue;
      if (drawn.filter !== undefined) names['#a'] = 'a';
      return {
        ...(drawn.target.index === undefined ? {} : { IndexName: drawn.target.index }),
        KeyConditionExpression: condition,
        ...(drawn.filter === undefined ? {} : { FilterExpression: drawn.filter.replace('(a)', '(#a)').replace('a >', '#a >') }),
        ...(drawn.forward === undefined ? {} : { ScanIndexForward: drawn.forward }),
        ...(drawn.limit === undefined ? {} : { Limit: drawn.limit }),
        ...(drawn.count ? { Select: 'COUNT' as const } : drawn.projection ? { ProjectionExpression: '#h, payload' } : {}),
        // A consistent read on a global secondary index is refused: both must refuse it alike.
        ...(drawn.consistent ? { ConsistentRead: true } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      };
    });
  return fc.array(query, { minLength: 1, maxLength: 8 });
}

/** One answer as the wire carries it: the HTTP status and the parsed JSON body (an error's too). */
interface WireAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One DynamoDB JSON call as the SDK's wire protocol sends it; the emulator checks no signature.
 * Through node:http, not the SDK or fetch: on this machine an SDK call cost ~2 ms of CPU, a fetch
 * ~1.7 ms and an http.request ~0.55 ms (400 ListTables each against the emulator, load 13), and
 * the two properties below make ~3,000 calls. Comparing the bodies compares everything the SDK
 * would parse out of them, and more.
 */
function rawCall(endpoint: string, operation: string, body: unknown): Promise<WireAnswer> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      endpoint,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(text),
          'x-amz-target': `DynamoDB_20120810.${operation}`,
          authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: answer === '' ? '' : (JSON.parse(answer) as unknown) });
        });
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

/** Every page of a query, following LastEvaluatedKey, or the error that ended it, as the wire carries them. */
async function allPages(endpoint: string, input: QueryCommandInput): Promise<WireAnswer[]> {
  const pages: WireAnswer[] = [];
  let startKey: unknown;
  for (let page = 0; page < 60; page += 1) {
    const answer = await rawCall(endpoint, 'Query', startKey === undefined ? input : { ...input, ExclusiveStartKey: startKey });
    pages.push(answer);
    if (answer.status !== 200) return pages;
    startKey = (answer.body as { LastEvaluatedKey?: unknown }).LastEvaluatedKey;
    if (startKey === undefined) return pages;
  }
  return pages;
}

function write(endpoint: string, name: string, change: Write): Promise<WireAnswer> {
  return change.kind === 'put' ? rawCall(endpoint, 'PutItem', { TableName: name, Item: change.item }) : rawCall(endpoint, 'DeleteItem', { TableName: name, Key: change.key });
}

// One emulator with moto's own Query and serializer for both comparisons.
let plain: MotoServer;
beforeAll(async () => {
  plain = await startMotoServer({ plainQuery: true, timeoutMs: 60_000 });
}, 90_000);
afterAll(async () => {
  await plain.stop();
});

describe("the emulator's DynamoDB Query (moto-launcher.py) answers as moto's own", () => {
  useFreshMoto();

  it('gives the same pages and errors for random tables, writes and queries', async () => {
    expect(motoEndpoint()).not.toBe(plain.endpoint);
    // A fresh table for every run, shrinking runs included.
    let tables = 0;
    await fc.assert(
      fc.asyncProperty(
        schema.chain((table) => fc.record({ table: fc.constant(table), changes: writes(table), asked: queries(table) })),
        async ({ table, changes, asked }) => {
          const name = `q${String((tables += 1))}`;
          const created = await Promise.all([rawCall(motoEndpoint(), 'CreateTable', createTable(name, table)), rawCall(plain.endpoint, 'CreateTable', createTable(name, table))]);
          expect(created.map((answer) => answer.status), JSON.stringify(created)).toEqual([200, 200]);
          for (const change of changes) {
            const [fast, reference] = await Promise.all([write(motoEndpoint(), name, change), write(plain.endpoint, name, change)]);
            expect(fast, JSON.stringify(change)).toEqual(reference);
          }
          for (const query of asked) {
            const input = { ...query, TableName: name };
            const [fast, reference] = await Promise.all([allPages(motoEndpoint(), input), allPages(plain.endpoint, input)]);
            expect(fast, JSON.stringify(input)).toEqual(reference);
          }
        },
      ),
      // No shrinking: each shrink step writes two more tables, and the first counterexample is readable as it is.
      { numRuns: 40, endOnFailure: true },
    );
  }, 120_000);
});

/** Any attribute value, nested maps and lists included, binary ones too (those take moto's own serializer). */
const attributeValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 8 }).map((s) => ({ S: s })),
    fc.constantFrom(...NUMBERS).map((n) => ({ N: n })),
    fc.boolean().map((b) => ({ BOOL: b })),
    fc.constant({ NULL: true }),
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }).map((ss) => ({ SS: ss })),
    fc.uniqueArray(fc.constantFrom('1', '2', '10', '-3'), { minLength: 1, maxLength: 3 }).map((ns) => ({ NS: ns })),
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => ({ B: b })),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('value'), { maxKeys: 3 }).map((m) => ({ M: m })),
    fc.array(tie('value'), { maxLength: 3 }).map((l) => ({ L: l })),
  ),
})).value;

/** An item's values as the wire carries them: binary as base64. */
function wireItem(item: Record<string, AttributeValue>): unknown {
  return JSON.parse(JSON.stringify(item, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value)));
}

describe("the emulator's DynamoDB responses (moto-launcher.py) are byte for byte moto's own", () => {
  useFreshMoto();

  it('returns the same bodies for items of every attribute type read back by every operation', async () => {
    let tables = 0;
    const key = (id: number): Record<string, unknown> => ({ pk: { S: 'p' }, sk: { N: String(id) } });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'nested'), attributeValue, { maxKeys: 4 }), { minLength: 1, maxLength: 4 }), async (attributes) => {
        const name = `v${String((tables += 1))}`;
        const calls: [string, unknown][] = [
          ['CreateTable', { TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }] }],
          ...attributes.flatMap((item, id): [string, unknown][] => [
            ['PutItem', { TableName: name, Item: { ...(wireItem(item) as object), ...key(id) } }],
            ['PutItem', { TableName: name, Item: { ...(wireItem(item) as object), ...key(id), extra: { S: 'x' } }, ReturnValues: 'ALL_OLD' }],
            ['GetItem', { TableName: name, Key: key(id), ConsistentRead: true }],
            ['UpdateItem', { TableName: name, Key: key(id), UpdateExpression: 'SET #e = :e', ExpressionAttributeNames: { '#e': 'extra' }, ExpressionAttributeValues: { ':e': { L: [{ S: 'y' }, { M: { z: { NULL: true } } }] } }, ReturnValues: 'ALL_NEW' }],
          ]),
          ['Query', { TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }],
          ['Scan', { TableName: name }],
          ['BatchGetItem', { RequestItems: { [name]: { Keys: attributes.map((_item, id) => key(id)) } } }],
          ['DeleteItem', { TableName: name, Key: key(0), ReturnValues: 'ALL_OLD' }],
        ];
        for (const [operation, body] of calls) {
          const [fast, reference] = await Promise.all([rawCall(motoEndpoint(), operation, body), rawCall(plain.endpoint, operation, body)]);
          if (operation === 'CreateTable') continue; // carries the table's creation time
          expect(fast, `${operation} ${JSON.stringify(body)}`).toEqual(reference);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  }, 120_000);
});

/**
 * Serves DynamoDB ListTables requests through moto_server's own WSGI application in one Python process
 * with the launcher's module loaded from its file: three with moto as it is, then three after
 * `_cache_dispatch_lookups()` (each after one request that sets the backend up), and counts the
 * directory listings and class-member walks each three cost.
 */
interface LookupCounts {
  readonly statuses: number[];
  readonly listdir: number;
  readonly getmembers: number;
}
function dispatchLookups(): { plain: LookupCounts; patched: LookupCounts } {
  const script = String.raw`
import importlib.util, inspect, json, os, sys
spec = importlib.util.spec_from_file_location("moto_launcher", sys.argv[1])
launcher = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launcher)
from werkzeug.test import Client
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
counts = {"listdir": 0, "getmembers": 0}
real_listdir, real_getmembers = os.listdir, inspect.getmembers
def listdir(*args, **kwargs):
    counts["listdir"] += 1
    return real_listdir(*args, **kwargs)
def getmembers(*args, **kwargs):
    counts["getmembers"] += 1
    return real_getmembers(*args, **kwargs)
os.listdir, inspect.getmembers = listdir, getmembers
headers = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
}
def three_requests():
    client = Client(DomainDispatcherApplication(create_backend_app))
    client.post("/", headers=headers, data="{}")
    before = dict(counts)
    statuses = [client.post("/", headers=headers, data="{}").status_code for _ in range(3)]
    return {"statuses": statuses, "listdir": counts["listdir"] - before["listdir"], "getmembers": counts["getmembers"] - before["getmembers"]}
plain = three_requests()
launcher._cache_dispatch_lookups()
print(json.dumps({"plain": plain, "patched": three_requests()}))
`;
  const run = spawnSync('python3', ['-c', script, MOTO_LAUNCHER], { encoding: 'utf8', env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' } });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { plain: LookupCounts; patched: LookupCounts };
}

describe("moto_server's per-request look-ups (moto-launcher.py) are made once", () => {
  it('lists the backend packages and walks the response class on every request without the launcher, and never again with it', () => {
    const { plain: asIs, patched } = dispatchLookups();
    // moto as it is: the counters see the look-ups, so a zero below means they are gone, not unseen.
    expect(asIs.statuses).toEqual([200, 200, 200]);
    expect(asIs.listdir).toBeGreaterThanOrEqual(3);
    expect(asIs.getmembers).toBeGreaterThanOrEqual(3);
    // A moto upgrade that renames what the launcher replaces shows here as a count above zero.
    expect(patched).toEqual({ statuses: [200, 200, 200], listdir: 0, getmembers: 0 });
  });
});

/** An SDK output as both emulators can agree on it: no request metadata; random ids, times and the emulator's port masked. */
function comparable(output: object): unknown {
  const { $metadata: _metadata, ...rest } = output as { $metadata?: unknown };
  return JSON.parse(
    // Dates reach the text as ISO strings (Date.toJSON runs before any replacer).
    JSON.stringify(rest)
      .replace(/"\d{4}-\d{2}-\d{2}T[\d:.]+Z"/g, '"time"')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'uuid')
      .replace(/"ReceiptHandle":"[^"]*"/g, '"ReceiptHandle":"handle"')
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://emulator')
      .replace(/(:secret:[\w-]+)-[A-Za-z0-9]{6}\b/g, '$1-random'),
  ) as unknown;
}

describe("the emulator's other services (moto-launcher.py) answer as moto's own", () => {
  useFreshMoto();

  it('gives the same answers to the SNS, SQS, CloudWatch, Secrets Manager and EventBridge calls the rehearsal makes', async () => {
    const answers = async (endpoint: string): Promise<unknown[]> => {
      const config = { ...motoClientConfig(), endpoint };
      const [sns, sqs, cloudwatch, secrets, events] = [new SNSClient(config), new SQSClient(config), new CloudWatchClient(config), new SecretsManagerClient(config), new EventBridgeClient(config)];
      const seen: unknown[] = [];
      const record = async <T extends object>(call: Promise<T>): Promise<T> => {
        try {
          const output = await call;
          seen.push(comparable(output));
          return output;
        } catch (error) {
          seen.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
          throw error;
        }
      };
      const { TopicArn } = await record(sns.send(new CreateTopicCommand({ Name: 'notices' })));
      const { QueueUrl } = await record(sqs.send(new CreateQueueCommand({ QueueName: 'inbox' })));
      const { Attributes } = await record(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] })));
      await record(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn, Attributes: { RawMessageDelivery: 'true' } })));
      await record(sns.send(new PublishCommand({ TopicArn, Message: '{"kind":"released"}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'released' } } })));
      await record(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] })));
      await record(cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'errors', Namespace: 'Kiro', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })));
      await record(cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'rehearsed' })));
      await record(cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['errors'] })));
      await record(secrets.send(new CreateSecretCommand({ Name: 'token', SecretString: 's3cr3t' })));
      await record(secrets.send(new GetSecretValueCommand({ SecretId: 'token' })));
      await record(events.send(new PutRuleCommand({ Name: 'alarms', EventPattern: '{"source":["aws.cloudwatch"]}' })));
      await record(events.send(new ListRulesCommand({}))).catch(() => undefined);
      await record(sns.send(new PublishCommand({ TopicArn: `${TopicArn ?? ''}-missing`, Message: 'x' }))).catch(() => undefined);
      for (const client of [sns, sqs, cloudwatch, secrets, events]) client.destroy();
      return seen;
    };
    const fast = await answers(motoEndpoint());
    const reference = await answers(plain.endpoint);
    expect(fast).toHaveLength(14);
    // The published message went through SNS to SQS, and the missing topic was refused.
    expect(JSON.stringify(fast[5])).toContain('{\\"kind\\":\\"released\\"}');
    expect(fast[13]).toMatch(/NotFound/);
    expect(fast).toEqual(reference);
  }, 60_000);
});
