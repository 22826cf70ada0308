/** Process entry of the worker build (bundled by the application stack; the buildspec runs it with node). */
import { main } from './run-work-item.js';

process.exitCode = await main(process.env, process.cwd(), (line) => {
  process.stdout.write(`${line}\n`);
});
