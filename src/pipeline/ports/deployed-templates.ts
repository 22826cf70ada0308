/** Reads the template CloudFormation holds for a stack. */
export interface DeployedTemplates {
  /**
   * The template as deployed (parsed JSON), or `undefined` when the stack does not exist. Any other
   * failure (access denied, throttling) is thrown: the caller decides what a doubt means.
   */
  template(stackName: string): Promise<unknown>;
}
