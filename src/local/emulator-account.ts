/**
 * The account moto_server puts every resource in (its default; any credentials map to it), in which
 * the rehearsal plays every account of the configuration. A module of its own so `npm run validate`'s
 * call placement (src/local/iam/rehearsal-layout.ts) reads it without loading the rehearsal.
 */
export const EMULATOR_ACCOUNT = '123456789012';
