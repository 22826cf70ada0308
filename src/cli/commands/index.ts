import type { Command } from '../command.js';
import { detectChangesCommand } from './detect-changes.js';
import { gateCommand } from './gate.js';
import { policyGatesCommand } from './policy-gates.js';
import { doraCommand } from './dora.js';
import { historyCommand } from './history.js';
import { pipelineChangedCommand } from './pipeline-changed.js';
import { planCommand } from './plan.js';
import { publishBuildMetricsCommand } from './publish-build-metrics.js';
import { approveCommand, rejectCommand } from './review.js';
import { rollbackCommand } from './rollback.js';
import { sbomCommand } from './sbom.js';
import { scanReportCommand } from './scan-report.js';
import { statusCommand } from './status.js';

/**
 * Every `kiro-cd` subcommand. Each lives in its own file in this folder; add a new one to this list.
 */
export const commands: readonly Command[] = [detectChangesCommand, pipelineChangedCommand, gateCommand, policyGatesCommand, historyCommand, publishBuildMetricsCommand, sbomCommand, scanReportCommand, statusCommand, doraCommand, planCommand, rollbackCommand, approveCommand, rejectCommand];
