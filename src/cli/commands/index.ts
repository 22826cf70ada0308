import type { Command } from '../command.js';

/**
 * Every `kiro-cd` subcommand. Each lives in its own file in this folder; add a new one to this list.
 */
export const commands: readonly Command[] = [];
