/**
 * The CodeBuild projects and CodeDeploy deployment groups of the synthesized templates, found by the
 * names the pipeline's actions configure (`ProjectName`, `ApplicationName`/`DeploymentGroupName`),
 * so each action's runner reads what the project would really run (its buildspec) and what the
 * deployment group would really check (its alarms), never a hand-kept list.
 */
import { resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from '../../local/synthesized-templates.js';

/** One CodeBuild project as the templates declare it. */
export interface TemplateProject {
  readonly name: string;
  /** The buildspec text (`Source.BuildSpec`), intrinsics resolved. */
  readonly buildSpec: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** One CodeDeploy deployment group: its alarm configuration, as CodeDeploy reads it while deploying. */
export interface TemplateDeploymentGroup {
  /** The stack that holds the group: deploying the stack makes CodeDeploy shift the Lambda alias. */
  readonly stackName: string;
  readonly application: string;
  readonly name: string;
  /** Alarm names of an enabled `AlarmConfiguration`; empty when there is none. */
  readonly alarms: readonly string[];
}

type Where = { readonly region: string; readonly account: string };

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Every CodeBuild project, by its physical name. */
export function templateProjects(stacks: readonly SynthesizedStack[], where: Where): ReadonlyMap<string, TemplateProject> {
  const projects = new Map<string, TemplateProject>();
  for (const stack of stacks) {
    const context = resolutionContextFor(stack, where);
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CodeBuild::Project') continue;
      const name = String(resolveIntrinsics({ Ref: logicalId }, context));
      const buildSpec = resolveIntrinsics(record(resource.Properties?.Source).BuildSpec, context);
      const entries = (record(resource.Properties?.Environment).EnvironmentVariables as { Name?: unknown; Value?: unknown }[] | undefined) ?? [];
      const variables = Object.fromEntries(entries.map((entry) => [String(entry.Name), String(resolveIntrinsics(entry.Value, context))]));
      projects.set(name, { name, buildSpec: typeof buildSpec === 'string' ? buildSpec : '', variables });
    }
  }
  return projects;
}

/** Every CodeDeploy deployment group, by `<application>/<group>` physical names. */
export function templateDeploymentGroups(stacks: readonly SynthesizedStack[], where: Where): ReadonlyMap<string, TemplateDeploymentGroup> {
  const groups = new Map<string, TemplateDeploymentGroup>();
  for (const stack of stacks) {
    const context = resolutionContextFor(stack, where);
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CodeDeploy::DeploymentGroup') continue;
      const properties = record(resolveIntrinsics(resource.Properties ?? {}, context));
      const application = String(properties.ApplicationName);
      const name = typeof properties.DeploymentGroupName === 'string' ? properties.DeploymentGroupName : String(resolveIntrinsics({ Ref: logicalId }, context));
      const alarmConfiguration = record(properties.AlarmConfiguration);
      const enabled = alarmConfiguration.Enabled === true || alarmConfiguration.Enabled === 'true';
      const alarms = enabled ? ((alarmConfiguration.Alarms as { Name?: unknown }[] | undefined) ?? []).map((alarm) => String(alarm.Name)) : [];
      groups.set(`${application}/${name}`, { stackName: stack.stackName, application, name, alarms });
    }
  }
  return groups;
}
