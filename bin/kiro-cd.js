#!/usr/bin/env node
// Launcher for `npx kiro-cd`: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/kiro-cd.ts', import.meta.url).href);
