/**
 * NVIDIA GPUs per EC2 instance type: the types the EKS catalog (components/aws/gpuCatalog.ts)
 * builds pools from, plus their family neighbours a stack may name. Pure data, shared by the
 * catalog and the pack's GPU budget rule (policies/rules/cost.ts).
 * Source: https://aws.amazon.com/ec2/instance-types/#Accelerated_Computing (G4dn, G5, G6, P4d,
 * P4de, P5 tables).
 */
export const EC2_GPUS: Record<string, number> = {
  "g4dn.xlarge": 1,
  "g4dn.2xlarge": 1,
  "g4dn.4xlarge": 1,
  "g4dn.8xlarge": 1,
  "g4dn.12xlarge": 4,
  "g4dn.16xlarge": 1,
  "g4dn.metal": 8,
  "g5.xlarge": 1,
  "g5.2xlarge": 1,
  "g5.4xlarge": 1,
  "g5.8xlarge": 1,
  "g5.12xlarge": 4,
  "g5.16xlarge": 1,
  "g5.24xlarge": 4,
  "g5.48xlarge": 8,
  "g6.xlarge": 1,
  "g6.2xlarge": 1,
  "g6.4xlarge": 1,
  "g6.8xlarge": 1,
  "g6.12xlarge": 4,
  "g6.16xlarge": 1,
  "g6.24xlarge": 4,
  "g6.48xlarge": 8,
  "p4d.24xlarge": 8,
  "p4de.24xlarge": 8,
  "p5.48xlarge": 8,
};
