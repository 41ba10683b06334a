/**
 * What a cloud-neutral GPU pool ("l4 x1, 0..4 nodes, spot") becomes on EKS:
 * the EC2 instance type. Pure data and pure functions: no Pulumi, no I/O.
 */
import { EC2_GPUS } from "../lib/ec2Gpus";
import type { GpuKind, GpuPoolSpec } from "../model";

/**
 * The EC2 instance type a pool of each GPU kind is built from, one per GPU count
 * (https://aws.amazon.com/ec2/instance-types/#Accelerated_Computing).
 * t4 -> g4dn, a10g -> g5, l4 -> g6, a100 -> p4d, a100-80gb -> p4de, h100 -> p5.
 */
const EKS_INSTANCES: Partial<Record<GpuKind, { family: string; instances: string[] }>> = {
  t4: { family: "g4dn.", instances: ["g4dn.2xlarge", "g4dn.12xlarge", "g4dn.metal"] },
  a10g: { family: "g5.", instances: ["g5.2xlarge", "g5.12xlarge", "g5.48xlarge"] },
  l4: { family: "g6.", instances: ["g6.2xlarge", "g6.12xlarge", "g6.48xlarge"] },
  a100: { family: "p4d.", instances: ["p4d.24xlarge"] },
  "a100-80gb": { family: "p4de.", instances: ["p4de.24xlarge"] },
  h100: { family: "p5.", instances: ["p5.48xlarge"] },
};

/** Per GPU kind: its instance family and the instance type for each GPU count (from EC2_GPUS). */
export const EKS_GPUS: Partial<
  Record<GpuKind, { family: string; instanceByCount: Record<number, string> }>
> = Object.fromEntries(
  Object.entries(EKS_INSTANCES).map(([kind, { family, instances }]) => [
    kind,
    { family, instanceByCount: Object.fromEntries(instances.map((i) => [EC2_GPUS[i], i])) },
  ]),
);

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
  const perNode = pool.machineType ? EC2_GPUS[pool.machineType] : undefined;
  if (perNode !== undefined && perNode !== pool.gpusPerNode)
    return [
      `machineType "${pool.machineType}" has ${perNode} x ${pool.gpu}, but gpusPerNode is ${pool.gpusPerNode}: set gpusPerNode to ${perNode} or drop machineType.`,
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
