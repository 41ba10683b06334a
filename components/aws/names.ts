/** Shapes of AWS identifiers, shared by config validation and the AWS components. Pure. */

/** An IAM role or user ARN (EKS access entries accept both), in any partition. */
export const IAM_PRINCIPAL_RE = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/** An EC2 instance type, e.g. `m6i.xlarge` (GCP machine types have no dot). */
export const EC2_INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Whether `zone` is an availability zone name of `region` (`us-east-1b` of `us-east-1`). */
export function isZoneOf(zone: string, region: string): boolean {
  return (
    !!region && zone.length === region.length + 1 && zone.startsWith(region) && /[a-z]$/.test(zone)
  );
}
