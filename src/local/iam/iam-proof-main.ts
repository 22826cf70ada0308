/**
 * `npm run validate`'s least-privilege step: replays the committed recorded calls (recorded-calls.json,
 * and the rehearsal's, rehearsal-calls.json, placed in the real account layout by rehearsal-layout.ts)
 * against the policies of the synthesized assembly (`cdk.out`, or the
 * directory given as the first argument), prints the table per role and every finding, and exits 1
 * on a denied call, an unexplained unused grant or a needless `*` resource (2 when the assembly or
 * the catalogue cannot be read). Runs with tsx; the simulator is a devDependency, like the rest of
 * the validation tools.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import { CALL_CATALOGUE_FILE, catalogueOf, readCatalogue } from './call-catalogue.js';
import { proveLeastPrivilege } from './iam-proof.js';
import { operatorPolicyName } from './operator-identity.js';
import { pipelineServiceCalls } from './service-calls.js';
import { readRehearsalCalls, REHEARSAL_CATALOGUE_FILE } from './rehearsal-calls.js';
import { placeRehearsalCalls } from './rehearsal-layout.js';
import { readSynthesizedIam, stacksOf } from './synthesized-iam.js';

/** Where the report goes (stdout and stderr in the script, a recorder in tests). */
export interface ProofOutput {
  info(line: string): void;
  error(line: string): void;
}

/** What {@link runIamProof} replays, besides the assembly. */
export interface IamProofOptions {
  /** The catalogue of the test suites' calls. @default recorded-calls.json */
  readonly catalogue?: string;
  /** The catalogue of the rehearsal test's calls. @default rehearsal-calls.json */
  readonly rehearsalCatalogue?: string;
  /** A rehearsal's recorded calls (`KIRO_CD_CALL_LOG=<file> npm start`, JSON lines), replayed instead of the rehearsal catalogue. @default none */
  readonly rehearsalCalls?: string;
  /** @default the pipeline name of environments.ts */
  readonly pipelineName?: string;
  readonly out: ProofOutput;
}

/** Runs the proof over `assembly` with the calls of `catalogue` and the rehearsal's; returns the exit code. */
export async function runIamProof(assembly: string, options: IamProofOptions): Promise<0 | 1 | 2> {
  const { out } = options;
  if (!existsSync(assembly)) {
    out.error(`No cloud assembly at ${assembly}: run npm run synth first.`);
    return 2;
  }
  const stacks = stacksOf(assembly);
  let calls;
  try {
    const source = options.rehearsalCalls ?? options.rehearsalCatalogue ?? REHEARSAL_CATALOGUE_FILE;
    const recorded = options.rehearsalCalls === undefined ? readCatalogue(source) : catalogueOf(readRehearsalCalls(source));
    // Placed in the accounts, regions and roles of the templates: the rehearsal plays them all in one emulator account.
    const rehearsal = placeRehearsalCalls(recorded, stacks);
    out.info(`With ${rehearsal.length} distinct calls the rehearsal recorded (${source}), placed in the accounts of the assembly.`);
    calls = [...readCatalogue(options.catalogue ?? CALL_CATALOGUE_FILE), ...rehearsal];
  } catch (error) {
    out.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const pipelineName = options.pipelineName ?? (await loadEnvironmentsFile()).pipeline.name;
  const service = pipelineServiceCalls(stacks);
  const result = await proveLeastPrivilege(readSynthesizedIam(assembly), calls, operatorPolicyName(pipelineName), service);
  out.info(`Least privilege (${calls.length} recorded calls and ${service.calls.length} documented service calls against ${assembly}):\n${result.table}`);
  out.info(`CloudFormation actions simulated as the CDK bootstrap deploy roles of ${service.bootstrapRoles.length} environments (bootstrap template of the installed CDK CLI).`);
  if (service.outsideAssembly.length > 0) out.info(`Not simulated (no documented calls known for their provider): ${service.outsideAssembly.join(', ')}.`);
  const findings = [
    ...result.denials.map((line) => `DENIED ${line}`),
    ...result.unexplainedUnused.map((line) => `UNUSED ${line} (no recorded call, no documented service need, not in explained-grants.ts)`),
    ...result.unexplainedGenerated.map((line) => `UNUSED ${line} (a generated service role's grant no documented call uses and GENERATED_ROLE_GRANTS does not explain)`),
    ...result.starResources.map((line) => `STAR ${line} on * although the action names a resource type (not in STAR_RESOURCE_EXCEPTIONS)`),
  ];
  for (const finding of findings) out.error(finding);
  out.info(findings.length === 0 ? 'Least privilege: every recorded call allowed, every grant used or explained, no needless *.' : `Least privilege: ${findings.length} finding(s).`);
  return findings.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out: ProofOutput = { info: (line) => process.stdout.write(`${line}\n`), error: (line) => process.stderr.write(`${line}\n`) };
  const flag = process.argv.indexOf('--rehearsal-calls');
  const rehearsalCalls = flag === -1 ? undefined : process.argv[flag + 1];
  const assembly = process.argv.slice(2).find((argument, index, all) => !argument.startsWith('--') && all[index - 1] !== '--rehearsal-calls');
  process.exitCode = await runIamProof(assembly ?? 'cdk.out', { out, ...(rehearsalCalls === undefined ? {} : { rehearsalCalls }) });
}
