import { randomUUID } from 'node:crypto';

/** Ids as a port, so tests can predict them. */
export interface IdGenerator {
  next(): string;
}

/** Random v4 UUIDs. */
export const uuidGenerator: IdGenerator = { next: () => randomUUID() };
