/**
 * Regions in which CodePipeline V2, CodeBuild, CodeDeploy and Step Functions are all offered.
 * Source: AWS Regional Services list (https://aws.amazon.com/about-aws/global-infrastructure/regional-product-services/).
 * A region outside this list fails synthesis, so a typo such as `eu-west1` is caught before deployment.
 */
export const AWS_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
  'us-gov-east-1', 'us-gov-west-1',
] as const;

/** One of the supported AWS regions. */
export type AwsRegion = (typeof AWS_REGIONS)[number];
