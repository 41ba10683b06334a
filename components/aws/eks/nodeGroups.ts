/**
 * EKS managed node groups: the system group for platform services and one
 * group per GPU pool (AL2023 NVIDIA AMI, GPU taint), each with a hardened
 * launch template, and the Auto Scaling group tags cluster-autoscaler needs to
 * scale GPU pools from zero.
 */
import * as aws from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import {
  GPU_KIND_LABEL,
  GPU_RESOURCE,
  GPU_TAINT,
  POOL_LABEL,
  type NodeTaint,
} from "../../contracts";
import type { GpuPoolSpec } from "../../model";
import { eksInstanceType } from "../gpuCatalog";
import type { RoleContext } from "../serviceRole";
import { autoscalerDiscoveryTags } from "./autoscaler";

/** Default instance type of the system node group: 4 vCPU / 16 GiB, like GKE's e2-standard-4. */
export const DEFAULT_SYSTEM_INSTANCE = "m6i.xlarge";

/** Labels of the system node group's nodes. */
export const SYSTEM_LABELS = { [POOL_LABEL]: "system" };

/**
 * ASG tags that let cluster-autoscaler build a node from nothing (scale from
 * zero): the labels and taint the node will carry and the GPUs it will offer.
 * EKS does not copy node-group labels/taints to the Auto Scaling group, so
 * these are put on the group explicitly. Pure.
 */
export function autoscalerNodeTemplateTags(
  labels: Record<string, string>,
  taints: NodeTaint[],
  gpus: number,
): Record<string, string> {
  const prefix = "k8s.io/cluster-autoscaler/node-template";
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) tags[`${prefix}/label/${k}`] = v;
  for (const t of taints) tags[`${prefix}/taint/${t.key}`] = `${t.value}:${t.effect}`;
  if (gpus > 0) tags[`${prefix}/resources/${GPU_RESOURCE}`] = String(gpus);
  return tags;
}

/**
 * The label cluster-autoscaler's AWS provider reads to know a node has GPUs
 * (cluster-autoscaler/cloudprovider/aws/aws_cloud_provider.go, GPULabel). Without it the
 * autoscaler counts a new GPU node as unready-but-empty until the device plugin registers
 * its GPUs, and keeps adding expensive nodes meanwhile.
 */
export const CA_AWS_GPU_LABEL = "k8s.amazonaws.com/accelerator";

/** Node-group settings of one GPU pool. Pure; exported for tests. */
export function eksGpuNodeGroupSpec(pool: GpuPoolSpec) {
  const labels = {
    [POOL_LABEL]: pool.name,
    [GPU_KIND_LABEL]: pool.gpu,
    [CA_AWS_GPU_LABEL]: `nvidia-${pool.gpu}`,
  };
  const taint: NodeTaint = { ...GPU_TAINT };
  return {
    // The EKS-optimized AL2023 NVIDIA AMI ships the driver and container toolkit; the device plugin comes from the cluster layer.
    amiType: "AL2023_x86_64_NVIDIA",
    instanceTypes: [eksInstanceType(pool)],
    capacityType: pool.spot ? "SPOT" : "ON_DEMAND",
    scalingConfig: {
      minSize: pool.minNodes,
      maxSize: pool.maxNodes,
      desiredSize: pool.minNodes,
    },
    labels,
    taints: [{ key: taint.key, value: taint.value, effect: "NO_SCHEDULE" }],
    nodeTemplateTags: autoscalerNodeTemplateTags(labels, [taint], pool.gpusPerNode),
  };
}

/** Launch template settings every node group shares: IMDSv2 only, hop limit 1, encrypted gp3 root, no key pair. Pure. */
export function hardenedLaunchTemplate(
  securityGroupIds: pulumi.Input<string>[],
  diskGb: number,
  tags: Record<string, string>,
) {
  return {
    // Hop limit 1: pods (one hop further) cannot reach the node's credentials; they use IRSA.
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: diskGb,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
        },
      },
    ],
    vpcSecurityGroupIds: securityGroupIds,
    tagSpecifications: [
      { resourceType: "instance", tags },
      { resourceType: "volume", tags },
    ],
    updateDefaultVersion: true,
    tags,
  };
}

/** What every node group of one cluster shares. */
export interface NodeGroupContext extends RoleContext {
  /** Physical cluster name (launch template Name tags, autoscaler discovery). */
  clusterLabel: string;
  cluster: aws.eks.Cluster;
  nodeRole: aws.iam.Role;
  securityGroupIds: pulumi.Input<string>[];
  /** Nodes wait for these (node role policies, VPC CNI, kube-proxy). */
  dependsOn: pulumi.Resource[];
}

interface NodeGroupSpec {
  amiType: string;
  instanceTypes: string[];
  capacityType: string;
  scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
  labels: Record<string, string>;
  taints?: { key: string; value: string; effect: string }[];
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  diskGb: number;
  tags: Record<string, string>;
}

function createNodeGroup(ctx: NodeGroupContext, id: string, spec: NodeGroupSpec) {
  const template = new aws.ec2.LaunchTemplate(
    `${ctx.name}-${id}`,
    hardenedLaunchTemplate(ctx.securityGroupIds, spec.diskGb, {
      ...ctx.tags,
      Name: `${ctx.clusterLabel}-${id}`,
    }),
    { parent: ctx.parent },
  );
  return new aws.eks.NodeGroup(
    `${ctx.name}-${id}`,
    {
      clusterName: ctx.cluster.name,
      version: ctx.cluster.version,
      nodeRoleArn: ctx.nodeRole.arn,
      subnetIds: spec.subnetIds,
      amiType: spec.amiType,
      instanceTypes: spec.instanceTypes,
      capacityType: spec.capacityType,
      scalingConfig: spec.scalingConfig,
      labels: spec.labels,
      taints: spec.taints,
      launchTemplate: {
        id: template.id,
        version: template.latestVersion.apply((v) => String(v)),
      },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      tags: { ...ctx.tags, ...spec.tags },
    },
    {
      parent: ctx.parent,
      dependsOn: ctx.dependsOn,
      // cluster-autoscaler owns the current size.
      ignoreChanges: ["scalingConfig.desiredSize"],
    },
  );
}

/** The always-on node group for platform services (AL2023, on-demand, at least one node). */
export function createSystemNodeGroup(
  ctx: NodeGroupContext,
  pool: { machineType?: string; minNodes: number; maxNodes: number },
  subnetIds: pulumi.Input<string>[],
): aws.eks.NodeGroup {
  return createNodeGroup(ctx, "system", {
    amiType: "AL2023_x86_64_STANDARD",
    instanceTypes: [pool.machineType ?? DEFAULT_SYSTEM_INSTANCE],
    capacityType: "ON_DEMAND",
    scalingConfig: {
      minSize: pool.minNodes,
      maxSize: pool.maxNodes,
      desiredSize: Math.max(pool.minNodes, 1),
    },
    labels: SYSTEM_LABELS,
    subnetIds,
    diskGb: 100,
    tags: {
      ...autoscalerDiscoveryTags(ctx.clusterLabel),
      ...autoscalerNodeTemplateTags(SYSTEM_LABELS, [], 0),
    },
  });
}

/**
 * One node group per GPU pool, in the private subnets of the pool's zones (all
 * when it names none), plus the node-template tags on its Auto Scaling group.
 */
export function createGpuNodeGroup(
  ctx: NodeGroupContext,
  pool: GpuPoolSpec,
  subnets: { ids: pulumi.Input<string>[]; zones: pulumi.Input<string>[] },
): aws.eks.NodeGroup {
  const spec = eksGpuNodeGroupSpec(pool);
  const subnetIds = pool.zones
    ? pulumi.all([pulumi.all(subnets.ids), pulumi.all(subnets.zones)]).apply(([ids, zones]) => {
        const picked = ids.filter((_, i) => pool.zones?.includes(zones[i]));
        if (picked.length === 0)
          throw new Error(
            `GPU pool ${pool.name}: none of zones ${pool.zones?.join(", ")} has a private subnet (the VPC spans ${zones.join(", ")}).`,
          );
        return picked;
      })
    : subnets.ids;
  const group = createNodeGroup(ctx, `gpu-${pool.name}`, {
    ...spec,
    subnetIds,
    // Model images with CUDA are large.
    diskGb: 200,
    tags: {
      ...autoscalerDiscoveryTags(ctx.clusterLabel),
      ...spec.nodeTemplateTags,
      "gpu-kind": pool.gpu,
    },
  });
  // EKS does not propagate node-group tags to its Auto Scaling group; cluster-autoscaler reads them there.
  const asgName = group.resources.apply((r) => {
    const asg = r?.[0]?.autoscalingGroups?.[0]?.name;
    if (!asg)
      throw new Error(`node group for GPU pool ${pool.name} reports no Auto Scaling group.`);
    return asg;
  });
  for (const [key, value] of Object.entries(spec.nodeTemplateTags)) {
    // e.g. taint-nvidia-com-gpu, resources-nvidia-com-gpu, label-mlops-dev-pool: unique per key.
    const slug = key
      .replace("k8s.io/cluster-autoscaler/node-template/", "")
      .replace(/[^a-z0-9]+/gi, "-")
      .toLowerCase();
    new aws.autoscaling.Tag(
      `${ctx.name}-gpu-${pool.name}-${slug}`,
      { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } },
      { parent: ctx.parent },
    );
  }
  return group;
}
