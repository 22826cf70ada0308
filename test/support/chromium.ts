/**
 * Finds the headless browser the report's browser test drives, and starts it the way this machine
 * kind allows (docs/rehearsal.md, "The report in a browser"): Debian's `chromium`, never a browser a
 * tool downloads, and with the flags that keep it off the closed network.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Executable names Debian and other distributions give Chromium, in the order they are tried. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser'] as const;

/** Overrides the search with one executable, e.g. a Chrome on a developer's machine. */
export const CHROMIUM_PATH_VARIABLE = 'KIRO_CHROMIUM_PATH';

/** Where the browser is, or why there is none. */
export type ChromiumSearch = { readonly kind: 'found'; readonly path: string } | { readonly kind: 'missing'; readonly reason: string };

/**
 * Flags from /work/shared/GROUND.md "Headless browser": no sandbox (CI runs as root), no GPU, and no
 * background connections, which the closed network would refuse.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks for Chromium: the override variable if set, else each PATH directory for {@link CHROMIUM_NAMES}. */
export function findChromium(env: Readonly<Record<string, string | undefined>> = process.env, isExecutable: (path: string) => boolean = isExecutableFile): ChromiumSearch {
  const override = env[CHROMIUM_PATH_VARIABLE];
  if (override !== undefined && override !== '') {
    return isExecutable(override) ? { kind: 'found', path: override } : { kind: 'missing', reason: `${CHROMIUM_PATH_VARIABLE}=${override} is not an executable file` };
  }
  const directories = (env.PATH ?? '').split(delimiter).filter((directory) => directory !== '');
  for (const name of CHROMIUM_NAMES) {
    for (const directory of directories) {
      const candidate = join(directory, name);
      if (isExecutable(candidate)) return { kind: 'found', path: candidate };
    }
  }
  return {
    kind: 'missing',
    reason: `no ${CHROMIUM_NAMES.join(' or ')} on PATH (install it with "apt-get install -y chromium", or set ${CHROMIUM_PATH_VARIABLE})`,
  };
}

/** A started browser with its own fresh profile; `close` stops it and removes the profile. */
export interface HeadlessChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium headless with a fresh `--user-data-dir`, driven by playwright-core (which never downloads a browser). */
export async function launchChromium(executablePath: string, viewport: { readonly width: number; readonly height: number }): Promise<HeadlessChromium> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'kiro-chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: [...CHROMIUM_FLAGS], viewport, offline: true });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
