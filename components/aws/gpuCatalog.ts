/**
 * What a cloud-neutral GPU pool ("l4 x1, 0..4 nodes, spot") becomes on EKS:
 * the EC2 instance type. Pure data and pure functions: no Pulumi, no I/O.
 */
import type { GpuKind, GpuPoolSpec } from "../model";

/**
 * EKS instance types per GPU kind and count (https://aws.amazon.com/ec2/instance-types/#Accelerated_Computing).
 * t4 -> g4dn, a10g -> g5, l4 -> g6, a100 -> p4d, a100-80gb -> p4de, h100 -> p5.
 */
export const EKS_GPUS: Partial<
  Record<GpuKind, { family: string; instanceByCount: Record<number, string> }>
> = {
  t4: {
    family: "g4dn.",
    instanceByCount: { 1: "g4dn.2xlarge", 4: "g4dn.12xlarge", 8: "g4dn.metal" },
  },
  a10g: { family: "g5.", instanceByCount: { 1: "g5.2xlarge", 4: "g5.12xlarge", 8: "g5.48xlarge" } },
  l4: { family: "g6.", instanceByCount: { 1: "g6.2xlarge", 4: "g6.12xlarge", 8: "g6.48xlarge" } },
  a100: { family: "p4d.", instanceByCount: { 8: "p4d.24xlarge" } },
  "a100-80gb": { family: "p4de.", instanceByCount: { 8: "p4de.24xlarge" } },
  h100: { family: "p5.", instanceByCount: { 8: "p5.48xlarge" } },
};

/** Problems with a pool on EKS (same shape as {@link gkeGpuProblems}). */
export function eksGpuProblems(pool: GpuPoolSpec): string[] {
  const gpu = EKS_GPUS[pool.gpu];
  if (!gpu) {
    return [
      `GPU kind "${pool.gpu}" is not offered on EKS: pick one of ${Object.keys(EKS_GPUS).join(", ")}.`,
    ];
  }
  const counts = Object.keys(gpu.instanceByCount).map(Number);
  if (!pool.machineType && !counts.includes(pool.gpusPerNode)) {
    return [
      `gpusPerNode ${pool.gpusPerNode} is not an EC2 shape for ${pool.gpu}: use one of ${counts.join(", ")}.`,
    ];
  }
  if (pool.machineType && !pool.machineType.startsWith(gpu.family)) {
    return [
      `machineType "${pool.machineType}" does not carry ${pool.gpu}: use a ${gpu.family}* instance type or drop machineType.`,
    ];
  }
  // An EC2 GPU instance type has a fixed GPU count; the autoscaler's node template and the
  // GPU budget read gpusPerNode, so they must agree.
  const known = Object.entries(gpu.instanceByCount).find(([, t]) => t === pool.machineType);
  if (known && Number(known[0]) !== pool.gpusPerNode)
    return [
      `machineType "${pool.machineType}" has ${known[0]} x ${pool.gpu}, but gpusPerNode is ${pool.gpusPerNode}: set gpusPerNode to ${known[0]} or drop machineType.`,
    ];
  return [];
}

/** Maps a validated pool to an EC2 instance type. */
export function eksInstanceType(pool: GpuPoolSpec): string {
  const gpu = EKS_GPUS[pool.gpu];
  const type = pool.machineType ?? gpu?.instanceByCount[pool.gpusPerNode];
  if (!type) throw new Error(`no EC2 instance type for ${pool.gpusPerNode} x ${pool.gpu}.`);
  return type;
}
