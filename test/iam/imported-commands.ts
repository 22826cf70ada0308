/**
 * The SDK command classes the runtime code imports (the Lambda handlers, the worker and the CLI:
 * everything under src/ except the local emulator helpers and the rehearsal), as the operations
 * the recorder names them by. The document client's commands name the DynamoDB operation they send.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query', Scan: 'Scan' };
const SERVICE_OF_PACKAGE: Readonly<Record<string, string>> = {
  'client-cloudformation': 'CloudFormation',
  'client-cloudwatch': 'CloudWatch',
  'client-codebuild': 'CodeBuild',
  'client-codepipeline': 'CodePipeline',
  'client-dynamodb': 'DynamoDB',
  'client-secrets-manager': 'SecretsManager',
  'client-sfn': 'SFN',
  'client-sns': 'SNS',
  'client-sqs': 'SQS',
};
const NOT_RUNTIME = /^src\/(local|rehearsal)\//;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `Service:Operation` of every command class imported by runtime code, with the files importing it. */
export function importedOperations(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of filesUnder(join(root, 'src'))) {
    const relative = file.slice(root.length + 1);
    if (NOT_RUNTIME.test(relative)) continue;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z-]+|lib-dynamodb)'/g)) {
      const names = (match[1] ?? '').split(',').map((name) => name.trim().replace(/^type\s+/, '')).filter((name) => /^[A-Z]\w*Command$/.test(name));
      for (const name of names) {
        const bare = name.replace(/Command$/, '');
        const operation = match[2] === 'lib-dynamodb' ? `DynamoDB:${DOCUMENT_COMMANDS[bare] ?? bare}` : `${SERVICE_OF_PACKAGE[match[2] ?? ''] ?? match[2] ?? ''}:${bare}`;
        found.set(operation, [...(found.get(operation) ?? []), relative]);
      }
    }
  }
  return found;
}
