/** Shapes of AWS identifiers, shared by config validation and the AWS components. Pure. */

/** An IAM role or user ARN (EKS access entries accept both), in any partition. */
export const IAM_PRINCIPAL_RE = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/** An EC2 instance type, e.g. `m6i.xlarge` (GCP machine types have no dot). */
export const EC2_INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** A GitHub repository URL as CodeBuild's GITHUB source takes it. */
export const GITHUB_REPO_RE = /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+?(\.git)?$/;

/** A CodeConnections connection ARN (or one made before the rename, codestar-connections). */
export const CONNECTION_ARN_RE =
  /^arn:aws(-[a-z]+)*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;

/** The messages both the config check and the runner component give. */
export const CI_RUNNER_REASONS = {
  repository: (v: string) =>
    `"${v}" is not a GitHub repository URL: write https://github.com/<owner>/<repo>.`,
  connectionArn: (v: string) =>
    `"${v}" is not a CodeConnections ARN: create the GitHub connection (Developer Tools > Connections), approve it, and paste its ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>).`,
};

/** Whether `zone` is an availability zone name of `region` (`us-east-1b` of `us-east-1`). */
export function isZoneOf(zone: string, region: string): boolean {
  return (
    !!region && zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone)
  );
}
