/**
 * The shape of an `AWS::CodePipeline::Pipeline` resource's properties, as far as this project reads
 * it (CloudFormation resource reference, AWS::CodePipeline::Pipeline): stages, actions, conditions,
 * triggers and variables. The one reader of that resource: the pipeline layout reads it unresolved,
 * the local CodePipeline (`src/local/codepipeline/declaration.ts`) after resolving intrinsics.
 * Scalars stay `unknown` because any of them may be an intrinsic.
 *
 * Pure: no CDK, no AWS SDK, no I/O.
 */
import * as z from 'zod';
import { isRecord } from './template-value.js';

const optional = z.unknown().optional();
const required = z.unknown().refine((value) => value !== undefined && value !== null && value !== '', 'is required');
const configuration = optional.transform((value) => (isRecord(value) ? value : {}));
const rule = z.object({ Name: optional, RuleTypeId: z.object({ Provider: required }), Configuration: configuration });
const condition = z.object({ Result: optional, Rules: z.array(rule).default([]) });
const conditions = z.object({ Conditions: z.array(condition).default([]) });
const action = z.object({
  Name: required,
  ActionTypeId: z.object({ Category: optional, Provider: required }),
  RunOrder: optional,
  Namespace: optional,
  TimeoutInMinutes: optional,
  Configuration: configuration,
});
const stage = z.object({
  Name: required,
  Actions: z.array(action).min(1, 'a stage needs at least one action'),
  BeforeEntry: conditions.optional(),
  OnSuccess: conditions.optional(),
  OnFailure: z.object({ Result: optional, Conditions: z.array(condition).default([]), RetryConfiguration: z.object({ RetryMode: optional }).optional() }).optional(),
});
const branchFilter = z.object({ Includes: z.array(z.unknown()).default([]), Excludes: z.array(z.unknown()).default([]) });
/** The branch filters of a trigger's push or pull-request events. */
export const gitFilters = z.array(z.object({ Branches: branchFilter.optional() })).default([]);
const trigger = z.object({ GitConfiguration: z.object({ Push: gitFilters, PullRequest: gitFilters }).optional() });
/** The pipeline's properties: name, type, execution mode, triggers and stages (at least one). */
export const pipelineProperties = z.object({
  Name: optional,
  PipelineType: optional,
  ExecutionMode: optional,
  RestartExecutionOnUpdate: optional,
  Variables: z.array(z.object({ Name: required, DefaultValue: optional })).default([]),
  Triggers: z.array(trigger).default([]),
  Stages: z.array(stage).min(1, 'a pipeline needs at least one stage'),
});

/** One declared stage. */
export type ParsedStage = z.infer<typeof stage>;
/** One declared action. */
export type ParsedAction = z.infer<typeof action>;
/** One declared condition: a result and its rules. */
export type ParsedCondition = z.infer<typeof condition>;
/** One declared rule of a condition. */
export type ParsedRule = z.infer<typeof rule>;
