import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../../../shared/errors.js';
import type { SecretReader } from '../../ports/secret-reader.js';

/**
 * `SecretReader` on Secrets Manager, caching each value for the life of the instance (one Lambda
 * cold start), so a burst of events costs one `GetSecretValue`. The value is never logged and never
 * put in an error message.
 */
export class SecretsManagerSecretReader implements SecretReader {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient) {}

  read(secretId: string): Promise<string> {
    const cached = this.cache.get(secretId);
    if (cached !== undefined) return cached;
    const pending = this.fetch(secretId);
    this.cache.set(secretId, pending);
    // A failed read is not cached: the next event tries again.
    pending.catch(() => this.cache.delete(secretId));
    return pending;
  }

  private async fetch(secretId: string): Promise<string> {
    const answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (answer.SecretString === undefined || answer.SecretString.trim() === '') {
      throw new ConfigurationError(`Secret ${secretId} holds no string value; store the GitHub token as the secret's plain-text value.`, { secretId });
    }
    return answer.SecretString.trim();
  }
}
