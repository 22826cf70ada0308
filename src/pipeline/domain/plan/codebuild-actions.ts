/**
 * The CodeBuild actions of the pipeline as data: the Build stage's three (the synthesis with the
 * supply-chain and policy gates, the unit tests, the static checks), each environment's change
 * detection and its post-deployment suite — their commands, runtimes,
 * timeouts, environment, exported variables and reports.
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import type { EnvironmentConfig } from '../../../shared/config/schema.js';
import { PIPELINE_CHANGED_VARIABLE } from '../change-detection/pipeline-definition-change.js';
import { PIPELINE_STACK_NAMES, detectionActionName, infraVariableName } from '../pipeline-vocabulary.js';
import { postDeploymentTestRoleArn } from './environment-roles.js';
import type { PlanOptions, ShellActionPlan } from './plan-types.js';
import { variableReference } from './stage-conditions.js';
import { ACTION_TIMEOUTS } from './time-budgets.js';

/** How buildspecs call the `kiro-cd` CLI (bin/kiro-cd.js in the checkout). */
const CLI = 'node bin/kiro-cd.js';
/**
 * Node.js of every action: 22, offered by CodeBuild's Ubuntu standard:7.0 image (CodeBuild user
 * guide, "Available runtimes"). Node 20 reached end of life in April 2026, and AWS SDK for
 * JavaScript v3 releases after early January 2027 need Node 22 or later; the code itself still runs
 * on 20 (package.json engines), where developers' machines may be.
 */
export const CODEBUILD_NODE_VERSION = '22';
const NODE_RUNTIME = { nodejs: CODEBUILD_NODE_VERSION } as const;
/**
 * How every action that needs the dependencies installs them: `npm ci` with no dependency's install
 * scripts, then the scripts of exactly the packages package.json's `allowScripts` approves. Written
 * out rather than left to `allowScripts` because the action runs whatever npm CodeBuild's image
 * has, and an npm that does not read that field runs every script: libxmljs2's (through
 * cyclonedx-npm, for XML SBOMs the gate never writes) downloads or compiles a native module. With
 * `--ignore-scripts` "npm does not run scripts specified in package.json files"
 * (https://docs.npmjs.com/cli/v10/commands/npm-ci#ignore-scripts); `npm rebuild <pkg>` runs the
 * named package's install scripts (https://docs.npmjs.com/cli/v10/commands/npm-rebuild).
 * test/unit/supply-chain/install-scripts.test.ts keeps the rebuilt packages equal to the approved ones.
 */
export const NPM_INSTALL_COMMANDS: readonly string[] = ['npm ci --ignore-scripts', 'npm rebuild esbuild'];
/** The policy gates' findings (`kiro-cd policy-gates --report-file`), read again in post_build. */
const GATES_REPORT = 'reports/gates.json';
/** The scan findings as JUnit, published as the `security-scans` CodeBuild report. */
const SECURITY_SCANS_REPORT = 'reports/security-scans.xml';
/** Where vitest.deployed.config.ts writes a post-deployment suite's JUnit. */
const DEPLOYED_SUITE_REPORT = 'reports/junit-deployed.xml';
/** The secrets gate's saved decision (`kiro-cd gate secrets --report-file`), read again in post_build. */
const SECRETS_REPORT = 'reports/secrets.json';
/** `PIPELINE_CHANGED=true|false` from `kiro-cd pipeline-changed`, sourced into the shell for CodeBuild to export. */
const PIPELINE_CHANGED_FILE = 'reports/pipeline-changed.env';
/** The licences gate's saved decision, read again in post_build. */
const LICENCES_REPORT = 'reports/licences.json';
/**
 * The Build's second output artifact: `kiro-cd detect-changes` bundled into one file, with the CDK
 * CLI next to it (infrastructure/lib/detection-bundle.ts). Each Detect action gets it as an input
 * at this directory and runs detection from it without `npm ci` (docs/pipeline.md, "Change detection
 * without npm ci").
 */
export const DETECTION_TOOL_DIRECTORY = 'detection-tool';
/** The bundled detection inside {@link DETECTION_TOOL_DIRECTORY}: `node <dir>/<file> detect-changes ...`. */
export const DETECTION_BUNDLE_FILE = 'detect-changes.mjs';
/** The CDK CLI's package inside {@link DETECTION_TOOL_DIRECTORY}; its `bin/cdk` runs `cdk diff`. */
export const DETECTION_CDK_DIRECTORY = 'aws-cdk';
const DETECTION_BUNDLE = `${DETECTION_TOOL_DIRECTORY}/${DETECTION_BUNDLE_FILE}`;
const DETECTION_CDK = `${DETECTION_TOOL_DIRECTORY}/${DETECTION_CDK_DIRECTORY}/bin/cdk`;

/** The Build's command that writes the Detect actions' tool artifact (infrastructure/bin/bundle-detection.ts). */
export const BUNDLE_DETECTION_COMMAND = `npx tsx infrastructure/bin/bundle-detection.ts ${DETECTION_TOOL_DIRECTORY}`;

/**
 * The type-check and ESLint side by side: each is one single-threaded process building its own
 * TypeScript program, so on the Build's 4 vCPUs together they take about as long as the slower one.
 * (`npm test` runs the same checks as one process over one program, scripts/static-checks.ts, beside
 * Vitest, where the CPU seconds count more than the parallelism: docs/fast-feedback.md.) The type-check's output is held back and printed after ESLint's gate;
 * the command fails when either fails (`wait` returns the type-check's exit code). POSIX sh: CodeBuild
 * runs buildspec commands in the image's default shell.
 */
export const STATIC_CHECKS_COMMAND = [
  'npm run --silent typecheck > reports/typecheck.log 2>&1 & typecheck=$!',
  `npx eslint -f json -o reports/eslint.json .; ${CLI} gate eslint --input reports/eslint.json; eslint=$?`,
  'wait $typecheck; typecheck=$?',
  'cat reports/typecheck.log',
  'echo "static checks: typecheck exit $typecheck, eslint gate exit $eslint"',
  '[ $typecheck -eq 0 ] && [ $eslint -eq 0 ]',
].join('; ');

/** ESLint's findings as JUnit, published as the `static-checks` CodeBuild report of the StaticChecks action. */
const STATIC_CHECKS_REPORT = 'reports/static-checks.xml';
/** Python for cfn-lint and the emulator the tests run against (tools/python-requirements.txt). */
const NODE_AND_PYTHON_RUNTIME = { ...NODE_RUNTIME, python: '3.11' } as const;

/**
 * The synth action of the Build stage: the supply-chain gates (secrets, npm audit, licences), the
 * synthesis, the policy gates and the stage's artifacts. The unit tests and the static checks run
 * beside it in the same stage ({@link unitTestsAction}, {@link staticChecksAction}).
 */
export function buildAction(pipelineName: string, options: PlanOptions = {}): ShellActionPlan {
  // The commit range being built starts at what production runs: everything not yet in production
  // is scanned, including file versions removed again (docs/build-gates.md, "Secrets").
  const secretsRange = options.historyTableName === undefined ? '' : ` --since-deployed production --history-table ${options.historyTableName}`;
  const reports = `--audit reports/npm-audit.json --gates-report ${GATES_REPORT} --secrets ${SECRETS_REPORT} --licences ${LICENCES_REPORT}`;
  return {
    name: 'Synth',
    // CodeBuild's image has no cfn-lint (the policy gates): ensure-tools installs the versions pinned
    // in tools/python-requirements.txt.
    installCommands: ['bash scripts/ensure-tools.sh', ...NPM_INSTALL_COMMANDS],
    commands: [
      'mkdir -p reports',
      // First, before anything else reads the checkout: the gate runs secretlint over every tracked file.
      `${CLI} gate secrets${secretsRange} --report-file ${SECRETS_REPORT}`,
      // Each tool writes its machine-readable output, then the kiro-cd gate decides from it. The
      // tool's own exit code is deliberately replaced by the gate's: the gate reads the output,
      // blocks on findings and fails closed on a missing or garbled file. `;` keeps the gate's
      // exit code as the command's; nothing masks it.
      `npm audit --json > reports/npm-audit.json; ${CLI} gate audit --input reports/npm-audit.json --mode pipeline`,
      // Production dependencies and every bundle's contents (esbuild metafiles) against licence-policy.json.
      `${CLI} gate licences --report-file ${LICENCES_REPORT}`,
      'npx cdk synth',
      // The Detect actions' tool artifact: detection as one file and the CDK CLI, so they skip npm ci.
      BUNDLE_DETECTION_COMMAND,
      // SBOMs inside cdk.out travel with the synth output artifact: CodePipeline keeps it in the
      // KMS-encrypted artifact bucket with the release it describes.
      `${CLI} sbom --output-dir cdk.out/sbom`,
      `${CLI} policy-gates --assembly cdk.out --report-file ${GATES_REPORT}`,
      // Whether self-mutation has anything to deploy: UpdatePipeline's entry condition skips it when
      // not (an application-only commit saves the stage's ~2 minutes). CodeBuild exports the shell's
      // value at the end of the build; `set -a` exports every assignment the file makes.
      `${CLI} pipeline-changed --stack ${PIPELINE_STACK_NAMES.pipeline} --assembly cdk.out --exported-variables-file ${PIPELINE_CHANGED_FILE}`,
      `set -a && . ./${PIPELINE_CHANGED_FILE} && set +a`,
    ],
    // Whatever reports the build phase got to write, red builds included: the scan findings as a
    // CodeBuild test report, and every result as CloudWatch metrics (neither step fails the build).
    postBuildCommands: [`${CLI} scan-report --output ${SECURITY_SCANS_REPORT} ${reports}`, `${CLI} publish-build-metrics ${reports} --pipeline ${pipelineName}`],
    timeoutMinutes: ACTION_TIMEOUTS.build,
    // cdk synth and the policy gates hold the whole app in memory; 3 GB (small) is tight for them.
    compute: 'medium',
    runtimes: NODE_AND_PYTHON_RUNTIME,
    env: {},
    exportedVariables: [PIPELINE_CHANGED_VARIABLE],
    reports: { 'security-scans': { files: [SECURITY_SCANS_REPORT], format: 'JUNITXML' } },
    // No tests run here: they run beside it, in the UnitTests action.
    countsAsTests: false,
  };
}

/**
 * The unit and property tests with coverage, beside the synth action in the Build stage: the tests
 * gate and the coverage gate block the stage; the results become CodeBuild reports and metrics.
 */
export function unitTestsAction(pipelineName: string): ShellActionPlan {
  return {
    name: 'UnitTests',
    // The tests run against the local emulator (moto_server) and call cfn-lint: ensure-tools installs both.
    installCommands: ['bash scripts/ensure-tools.sh', ...NPM_INSTALL_COMMANDS],
    commands: [
      'mkdir -p reports',
      `npx vitest run --coverage; ${CLI} gate tests --junit reports/junit.xml`,
      `${CLI} gate coverage --summary coverage/coverage-summary.json --threshold 80`,
    ],
    postBuildCommands: [`${CLI} publish-build-metrics --junit reports/junit.xml --coverage-summary coverage/coverage-summary.json --pipeline ${pipelineName}`],
    timeoutMinutes: ACTION_TIMEOUTS.build,
    // 4 vCPU run the tests in twice the workers, and each synthesizing test holds a whole app in memory.
    compute: 'medium',
    runtimes: NODE_AND_PYTHON_RUNTIME,
    env: {},
    exportedVariables: [],
    reports: {
      'unit-tests': { files: ['reports/junit.xml'], format: 'JUNITXML' },
      coverage: { files: ['coverage/cobertura-coverage.xml'], format: 'COBERTURAXML' },
    },
    countsAsTests: true,
  };
}

/**
 * The type-check and ESLint ({@link STATIC_CHECKS_COMMAND}), beside the synth action in the Build
 * stage: either failing blocks the stage; ESLint's findings become a CodeBuild report and metrics.
 */
export function staticChecksAction(pipelineName: string): ShellActionPlan {
  return {
    name: 'StaticChecks',
    installCommands: [...NPM_INSTALL_COMMANDS],
    commands: ['mkdir -p reports', STATIC_CHECKS_COMMAND],
    postBuildCommands: [`${CLI} scan-report --output ${STATIC_CHECKS_REPORT} --eslint reports/eslint.json`, `${CLI} publish-build-metrics --eslint reports/eslint.json --pipeline ${pipelineName}`],
    timeoutMinutes: ACTION_TIMEOUTS.staticChecks,
    // Type-aware ESLint and tsc each build the whole TypeScript program: 7 GB, not 3.
    compute: 'medium',
    runtimes: NODE_RUNTIME,
    env: {},
    exportedVariables: [],
    reports: { 'static-checks': { files: [STATIC_CHECKS_REPORT], format: 'JUNITXML' } },
    countsAsTests: false,
  };
}

/** The change detection of one environment: `kiro-cd detect-changes`, exporting the environment's infrastructure verdict. */
export function detectionAction(environment: EnvironmentConfig, options: PlanOptions): ShellActionPlan {
  const variable = infraVariableName(environment.name);
  const varsFile = `reports/infra-${environment.name}.env`;
  const historyFlag = options.historyTableName === undefined ? '' : ` --history-table ${options.historyTableName}`;
  return {
    name: detectionActionName(environment.name),
    // No `npm ci`: the Build's tool artifact holds the bundled detection and the CDK CLI. `cdk diff`
    // is found where detect-changes looks first, node_modules/.bin of the checkout.
    installCommands: [`chmod +x ${DETECTION_CDK}`, 'mkdir -p node_modules/.bin', `ln -sf "$PWD/${DETECTION_CDK}" node_modules/.bin/cdk`],
    commands: [
      'mkdir -p reports',
      `node ${DETECTION_BUNDLE} detect-changes --environment ${environment.name} --to $CODEBUILD_RESOLVED_SOURCE_VERSION${historyFlag} --cdk-app cdk.out --exported-variables-file ${varsFile}`,
      // CodeBuild exports the shell's value of the variable at the end of the build; `set -a`
      // exports every assignment the file makes.
      `set -a && . ./${varsFile} && set +a`,
    ],
    postBuildCommands: [],
    timeoutMinutes: ACTION_TIMEOUTS.changeDetection,
    runtimes: NODE_RUNTIME,
    env: { KIRO_ENV: environment.name, KIRO_STACK_PREFIX: environment.stackPrefix },
    exportedVariables: [variable],
    reports: {},
    countsAsTests: false,
  };
}

/** The environment's post-deployment suite, run in the pipeline account through the environment's test role. */
export function testsAction(environment: EnvironmentConfig): ShellActionPlan {
  const suite = environment.postDeploymentTests;
  return {
    name: `Tests-${suite}`,
    installCommands: [...NPM_INSTALL_COMMANDS],
    commands: [`npx vitest run --config vitest.deployed.config.ts test/deployed/${suite}`],
    postBuildCommands: [],
    timeoutMinutes: ACTION_TIMEOUTS.suites[suite],
    runtimes: NODE_RUNTIME,
    env: {
      KIRO_ENV: environment.name,
      KIRO_STACK_PREFIX: environment.stackPrefix,
      KIRO_ACCOUNT: environment.account,
      AWS_REGION: environment.region,
      // The suite runs in the pipeline account and tests the environment through this role of its
      // account (PostDeploymentTestAccess in the application stack).
      KIRO_TEST_ROLE_ARN: postDeploymentTestRoleArn(environment),
      // The end-to-end suite's fixture work item (validation requires it for e2e).
      ...(suite === 'e2e' && environment.e2eFixture !== undefined
        ? { KIRO_E2E_REPOSITORY: environment.e2eFixture.repository, KIRO_E2E_BRANCH: environment.e2eFixture.branch }
        : {}),
      // The change-detection verdict this release applied to the environment, for the suite's log.
      KIRO_INFRA_VERDICT: variableReference({ producer: detectionActionName(environment.name), name: infraVariableName(environment.name) }),
    },
    exportedVariables: [],
    reports: { [`${suite}-tests`]: { files: [DEPLOYED_SUITE_REPORT], format: 'JUNITXML' } },
    countsAsTests: true,
  };
}
