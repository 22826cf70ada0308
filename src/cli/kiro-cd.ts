import { commands } from './commands/index.js';
import { consoleOutput } from './output.js';
import { runCli } from './run-cli.js';
import { quietSdkNodeVersionNotice } from './sdk-node-notice.js';

quietSdkNodeVersionNotice();

/** Entry point of `npx kiro-cd`. */
const exitCode = await runCli(commands, process.argv.slice(2), {
  out: consoleOutput,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = exitCode;
