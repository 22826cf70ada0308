import { GetTemplateCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DeployedTemplates } from '../../ports/deployed-templates.js';
import { MalformedInputError } from '../../../shared/errors.js';

/**
 * {@link DeployedTemplates} over CloudFormation's GetTemplate with `TemplateStage: Original`: the
 * template as it was submitted, which for a CDK stack is the synthesized JSON
 * ([GetTemplate](https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html)).
 * An unknown stack answers ValidationError ("Stack with id … does not exist").
 */
export class CloudFormationDeployedTemplates implements DeployedTemplates {
  constructor(private readonly client: Pick<CloudFormationClient, 'send'>) {}

  async template(stackName: string): Promise<unknown> {
    let body: string | undefined;
    try {
      body = (await this.client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody;
    } catch (error) {
      if (error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message)) return undefined;
      throw error;
    }
    if (body === undefined) throw new MalformedInputError(`CloudFormation returned no template body for ${stackName}.`, { stackName });
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      // A stack deployed from YAML is not the CDK's JSON: the caller counts it as changed.
      throw new MalformedInputError(`The deployed template of ${stackName} is not JSON.`, { stackName }, error);
    }
  }
}
