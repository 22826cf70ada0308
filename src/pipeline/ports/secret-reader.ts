/** Reads a secret's value. Implementations never log the value. */
export interface SecretReader {
  /** The secret string of the secret named or ARN'd by `secretId`. */
  read(secretId: string): Promise<string>;
}
