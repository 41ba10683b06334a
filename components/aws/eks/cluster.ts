import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  clusterAutoscalerPolicy,
  irsaTrustPolicy,
  serviceTrustPolicy,
  type PolicyDocument,
} from "../iamDocuments";
import { EC2_INSTANCE_TYPE_RE, IAM_PRINCIPAL_RE, isZoneOf } from "../names";
import {
  GPU_KIND_LABEL,
  GPU_RESOURCE,
  GPU_TAINT,
  POOL_LABEL,
  type ClusterOutputs,
  type NodeTaint,
} from "../../contracts";
import type { GpuPoolSpec } from "../../model";
import { eksGpuProblems, eksInstanceType } from "../gpuCatalog";
import { CHARTS, pinnedRelease } from "../../lib/helm";
import { isCidr, isPrivateCidr, isWorldOpen } from "../../lib/net";
import { validateArgs, type ArgProblem } from "../../lib/validation";
import {
  ADDON_VERSION_RE,
  CLUSTER_AUTOSCALER_TAGS,
  resolveAddonVersions,
  type EksAddon,
} from "./addonVersions";

/** Control-plane log types; all five, audit included (CIS EKS 2.1.1). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The EKS access policy admins get, cluster-wide. */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

/** Default instance type of the system node group: 4 vCPU / 16 GiB, like GKE's e2-standard-4. */
export const DEFAULT_SYSTEM_INSTANCE = "m6i.xlarge";

export interface EksGpuClusterArgs {
  /** Physical cluster name, e.g. `mlops-prod`. */
  clusterName: string;
  /** Region, e.g. `us-east-1` (GPU pool zones must be in it). */
  region: string;
  /** Kubernetes minor, e.g. `1.33`. Picks the add-on versions (./eksVersions.ts). */
  kubernetesVersion: string;
  /** Private subnets (at least two zones) for the control plane's ENIs and every node. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Zone of each private subnet, same order; GPU pools with `zones` use the matching subnets. */
  privateSubnetZones: pulumi.Input<string>[];
  /** Security group attached to every node besides the cluster security group (see AwsNetwork). */
  nodeSecurityGroupId: pulumi.Input<string>;
  /** Kubernetes Service range (RFC 1918, /12 to /24, outside the VPC). */
  serviceCidr: string;
  /** CIDRs allowed to reach the public API endpoint. Never 0.0.0.0/0. */
  authorizedNetworks: { name: string; cidr: string }[];
  /** Turn the public endpoint off entirely; `pulumi up` must then run inside the VPC. Defaults to false. */
  privateEndpoint?: boolean;
  /**
   * IAM role/user ARNs that get cluster-admin through EKS access entries. The
   * identity running `pulumi up` gets its own entry automatically; do not list it.
   */
  adminPrincipals: string[];
  /** The always-on node group for platform services. `machineType` defaults to {@link DEFAULT_SYSTEM_INSTANCE}. */
  systemPool: { machineType?: string; minNodes: number; maxNodes: number };
  /** GPU pools, cloud-neutral (instance type from the catalog's EKS table unless `machineType`). */
  gpuPools: GpuPoolSpec[];
  /** Overrides of the pinned managed add-on versions. */
  addonVersions?: Partial<Record<EksAddon, string>>;
  /** Tags on every AWS resource. */
  tags: Record<string, string>;
  /** EKS deletion protection. Defaults to true. */
  deletionProtection?: boolean;
  /** Pulumi `protect` on the cluster and its KMS key; also keeps PVs after their claim is deleted. Defaults to false. */
  protect?: boolean;
  /** Days the control-plane log group keeps logs. Defaults to 90. */
  logRetentionDays?: number;
}

/** Reasons the args can't build a cluster; empty when they can. Pure. */
export function eksClusterProblems(args: EksGpuClusterArgs): ArgProblem[] {
  const problems: ArgProblem[] = [];
  const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,99}$/.test(args.clusterName))
    add("clusterName", `"${args.clusterName}" must be letters, digits and '-', at most 100.`);
  if (!args.region) add("region", "is required, e.g. us-east-1.");
  const addons = resolveAddonVersions(args.kubernetesVersion, args.addonVersions);
  if ("missing" in addons)
    add(
      "kubernetesVersion",
      `${args.kubernetesVersion} has no pinned versions for ${addons.missing.join(", ")}: use a version listed in components/aws/eks/addonVersions.ts or set addonVersions.`,
    );
  for (const [addon, version] of Object.entries(args.addonVersions ?? {})) {
    if (!ADDON_VERSION_RE.test(version ?? ""))
      add(`addonVersions.${addon}`, `"${version}" must look like v1.20.1-eksbuild.3.`);
  }
  if (!CLUSTER_AUTOSCALER_TAGS[args.kubernetesVersion])
    add(
      "kubernetesVersion",
      `${args.kubernetesVersion} has no cluster-autoscaler image: add it to CLUSTER_AUTOSCALER_TAGS.`,
    );
  if (args.privateSubnetIds.length < 2)
    add("privateSubnetIds", "EKS needs subnets in at least two availability zones.");
  if (args.privateSubnetZones.length !== args.privateSubnetIds.length)
    add("privateSubnetZones", "must list one zone per private subnet.");
  if (!isCidr(args.serviceCidr)) add("serviceCidr", `"${args.serviceCidr}" is not a CIDR.`);
  else {
    const bits = Number(args.serviceCidr.split("/")[1]);
    if (bits < 12 || bits > 24 || !isPrivateCidr(args.serviceCidr))
      add(
        "serviceCidr",
        `${args.serviceCidr} must be a /12 to /24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.`,
      );
  }
  args.authorizedNetworks.forEach((n, i) => {
    if (!isCidr(n.cidr)) add(`authorizedNetworks[${i}].cidr`, `"${n.cidr}" is not a CIDR.`);
    else if (isWorldOpen(n.cidr))
      add(`authorizedNetworks[${i}].cidr`, "opens the API to the internet: list specific ranges.");
  });
  if (!args.privateEndpoint && args.authorizedNetworks.length === 0)
    add(
      "authorizedNetworks",
      "is empty with the public endpoint on, which EKS would open to 0.0.0.0/0: list CIDRs or set privateEndpoint.",
    );
  const seen = new Set<string>();
  args.adminPrincipals.forEach((arn, i) => {
    if (!IAM_PRINCIPAL_RE.test(arn))
      add(
        `adminPrincipals[${i}]`,
        `"${arn}" is not an IAM role or user ARN (arn:aws:iam::123456789012:role/name).`,
      );
    if (seen.has(arn)) add(`adminPrincipals[${i}]`, `"${arn}" is listed twice.`);
    seen.add(arn);
  });
  const sys = args.systemPool;
  if (sys.machineType && !EC2_INSTANCE_TYPE_RE.test(sys.machineType))
    add("systemPool.machineType", `"${sys.machineType}" is not an EC2 instance type.`);
  if (sys.minNodes > sys.maxNodes)
    add("systemPool.minNodes", "is above systemPool.maxNodes: raise maxNodes or lower minNodes.");
  if (sys.maxNodes < 1) add("systemPool.maxNodes", "must be at least 1.");
  args.gpuPools.forEach((pool, i) => {
    if (pool.minNodes > pool.maxNodes)
      add(`gpuPools[${i}].minNodes`, "is above maxNodes: raise maxNodes or lower minNodes.");
    if (pool.maxNodes < 1)
      add(`gpuPools[${i}].maxNodes`, "must be at least 1 on EKS: remove the pool instead.");
    for (const reason of eksGpuProblems(pool)) add(`gpuPools[${i}]`, reason);
    const foreign = (pool.zones ?? []).filter((z) => !isZoneOf(z, args.region));
    if (foreign.length)
      add(
        `gpuPools[${i}].zones`,
        `${foreign.join(", ")} are not availability zones of ${args.region} (e.g. ${args.region}a).`,
      );
  });
  return problems;
}

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

/** Tags cluster-autoscaler's auto-discovery looks for on a node group's ASG. Pure. */
export function autoscalerDiscoveryTags(clusterName: string): Record<string, string> {
  return {
    "k8s.io/cluster-autoscaler/enabled": "true",
    [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
  };
}

/** Node-group settings of one GPU pool. Pure; exported for tests. */
export function eksGpuNodeGroupSpec(pool: GpuPoolSpec) {
  const labels = { [POOL_LABEL]: pool.name, [GPU_KIND_LABEL]: pool.gpu };
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

/** Kubeconfig for an EKS cluster that authenticates with `aws eks get-token` (AWS CLI v2). Pure. */
export function eksKubeconfig(
  clusterName: string,
  endpoint: string,
  caData: string,
  region: string,
): string {
  const context = `eks_${clusterName}`;
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: context, cluster: { server: endpoint, "certificate-authority-data": caData } },
      ],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      "current-context": context,
      users: [
        {
          name: context,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: [
                "eks",
                "get-token",
                "--cluster-name",
                clusterName,
                "--region",
                region,
                "--output",
                "json",
              ],
              installHint: "Install AWS CLI v2: https://docs.aws.amazon.com/cli/",
            },
          },
        },
      ],
    },
    null,
    2,
  );
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

/** A resource-name-safe slug for an ARN (its last path segment), e.g. `role-platform-admins`. Pure. */
export function principalSlug(arn: string): string {
  const [, kind = "principal", rest = arn] = /:(role|user)\/(.*)$/.exec(arn) ?? [];
  return `${kind}-${rest.split("/").pop()}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 40);
}

/**
 * A private EKS cluster for ML: API restricted to listed CIDRs (or private
 * only), Secrets encrypted with a rotating KMS key, all control-plane logs,
 * API-mode access entries for admins, IRSA, pinned managed add-ons (VPC CNI
 * with network policy, kube-proxy, CoreDNS, EBS CSI), an encrypted gp3 default
 * StorageClass, a system node group and GPU node groups on the AL2023 NVIDIA
 * AMI with the GPU taint, IMDSv2-only launch templates and no SSH, and
 * cluster-autoscaler (able to scale GPU pools from zero). Exposes the
 * {@link ClusterOutputs} contract.
 */
export class EksGpuCluster extends pulumi.ComponentResource implements ClusterOutputs {
  public readonly cluster: aws.eks.Cluster;
  public readonly secretsKey: aws.kms.Key;
  public readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  public readonly nodeRole: aws.iam.Role;
  public readonly addons: Record<EksAddon, aws.eks.Addon>;
  public readonly systemNodeGroup: aws.eks.NodeGroup;
  public readonly gpuNodeGroups: aws.eks.NodeGroup[];
  public readonly accessEntries: aws.eks.AccessEntry[];
  public readonly storageClassResource: k8s.storage.v1.StorageClass;
  public readonly autoscaler: k8s.helm.v3.Release;
  public readonly name: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly gpuTaint: NodeTaint = { ...GPU_TAINT };
  public readonly gpuPoolLabel = POOL_LABEL;
  public readonly storageClass = "gp3";
  public readonly needsGpuDevicePlugin = true;

  constructor(name: string, args: EksGpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cluster:EksGpuCluster", name, {}, opts);
    validateArgs("mlops:cluster:EksGpuCluster", name, eksClusterProblems(args));
    const addonVersions = resolveAddonVersions(args.kubernetesVersion, args.addonVersions);
    if ("missing" in addonVersions) throw new Error("unreachable: validated above");
    const protect = args.protect ?? false;
    const privateEndpoint = args.privateEndpoint ?? false;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const managedPolicy = (policy: string) =>
      pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;
    const role = (
      id: string,
      trust: pulumi.Input<PolicyDocument>,
      policies: string[],
      description: string,
    ) => {
      const r = new aws.iam.Role(
        `${name}-${id}`,
        {
          description,
          assumeRolePolicy: pulumi.output(trust).apply((t) => JSON.stringify(t)),
          tags: args.tags,
        },
        { parent: this },
      );
      const attachments = policies.map(
        (p) =>
          new aws.iam.RolePolicyAttachment(
            `${name}-${id}-${p.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
            { role: r.name, policyArn: managedPolicy(p) },
            { parent: this },
          ),
      );
      return { role: r, attachments };
    };

    // --- Control plane ------------------------------------------------------
    this.secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      { parent: this, protect },
    );
    new aws.kms.Alias(
      `${name}-secrets`,
      { name: `alias/${args.clusterName}-eks-secrets`, targetKeyId: this.secretsKey.keyId },
      { parent: this },
    );

    const clusterRole = role(
      "cluster-role",
      serviceTrustPolicy("eks.amazonaws.com"),
      ["AmazonEKSClusterPolicy"],
      `EKS control plane of ${args.clusterName}`,
    );

    // EKS would create this group itself with no expiry; owning it sets retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      {
        name: `/aws/eks/${args.clusterName}/cluster`,
        retentionInDays: args.logRetentionDays ?? 90,
        tags: args.tags,
      },
      { parent: this },
    );

    this.cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.role.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: !privateEndpoint,
          ...(privateEndpoint
            ? {}
            : { publicAccessCidrs: args.authorizedNetworks.map((n) => n.cidr) }),
        },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
        enabledClusterLogTypes: EKS_LOG_TYPES,
        accessConfig: {
          authenticationMode: "API",
          // The deployer gets an explicit, visible access entry below instead.
          bootstrapClusterCreatorAdminPermissions: false,
        },
        // The VPC CNI, kube-proxy and CoreDNS come as pinned managed add-ons below.
        bootstrapSelfManagedAddons: false,
        kubernetesNetworkConfig: { serviceIpv4Cidr: args.serviceCidr, ipFamily: "ipv4" },
        // Extended support costs six times as much: upgrade instead.
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: args.deletionProtection ?? true,
        tags: args.tags,
      },
      { parent: this, protect, dependsOn: [...clusterRole.attachments, logGroup] },
    );
    const clusterName = this.cluster.name;

    // --- Identity -------------------------------------------------------------
    this.oidcIssuerUrl = this.cluster.identities.apply((ids) => {
      const issuer = ids?.[0]?.oidcs?.[0]?.issuer;
      if (!issuer) throw new Error(`EKS cluster ${args.clusterName} reports no OIDC issuer.`);
      return issuer;
    });
    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: this.oidcIssuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: args.tags },
      { parent: this },
    );
    this.oidcProviderArn = this.oidcProvider.arn;
    const irsa = (namespace: string, serviceAccount: string) =>
      pulumi
        .all([this.oidcProviderArn, this.oidcIssuerUrl])
        .apply(([arn, url]) => irsaTrustPolicy(arn, url, namespace, serviceAccount));

    // The identity running `pulumi up` (the role behind an assumed-role session).
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const deployer = aws.iam.getSessionContextOutput(
      { arn: caller.arn },
      { parent: this },
    ).issuerArn;
    const admins: { slug: string; arn: pulumi.Input<string> }[] = [
      { slug: "deployer", arn: deployer },
      ...args.adminPrincipals.map((arn) => ({ slug: principalSlug(arn), arn })),
    ];
    this.accessEntries = [];
    const adminAccess = admins.map(({ slug, arn }) => {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${slug}`,
        { clusterName, principalArn: arn, type: "STANDARD", tags: args.tags },
        { parent: this },
      );
      this.accessEntries.push(entry);
      return new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${slug}`,
        {
          clusterName,
          principalArn: entry.principalArn,
          policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
          accessScope: { type: "cluster" },
        },
        { parent: this },
      );
    });

    // --- Add-ons that nodes need to become Ready --------------------------------
    const cniRole = role(
      "vpc-cni",
      irsa("kube-system", "aws-node"),
      ["AmazonEKS_CNI_Policy"],
      `VPC CNI of ${args.clusterName} (IRSA)`,
    );
    const addon = (
      addonName: EksAddon,
      extra: { serviceAccountRoleArn?: pulumi.Input<string>; configurationValues?: string },
      dependsOn: pulumi.Resource[],
    ) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          clusterName,
          addonName,
          addonVersion: addonVersions.versions[addonName],
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags: args.tags,
          ...extra,
        },
        { parent: this, dependsOn },
      );
    const vpcCni = addon(
      "vpc-cni",
      {
        serviceAccountRoleArn: cniRole.role.arn,
        // NetworkPolicy enforcement (the platform ships NetworkPolicies), as Dataplane V2 does on GKE.
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      },
      cniRole.attachments,
    );
    const kubeProxy = addon("kube-proxy", {}, []);

    // --- Nodes ------------------------------------------------------------------
    const nodes = role(
      "node-role",
      serviceTrustPolicy("ec2.amazonaws.com"),
      [
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        // Node access through SSM Session Manager instead of SSH.
        "AmazonSSMManagedInstanceCore",
      ],
      `EKS nodes of ${args.clusterName}`,
    );
    this.nodeRole = nodes.role;
    const nodeSecurityGroups = [
      this.cluster.vpcConfig.clusterSecurityGroupId,
      args.nodeSecurityGroupId,
    ];
    const discovery = autoscalerDiscoveryTags(args.clusterName);
    const nodeGroup = (
      id: string,
      spec: {
        amiType: string;
        instanceTypes: string[];
        capacityType: string;
        scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
        labels: Record<string, string>;
        taints?: { key: string; value: string; effect: string }[];
        subnetIds: pulumi.Input<pulumi.Input<string>[]>;
        diskGb: number;
        tags: Record<string, string>;
      },
    ) => {
      const template = new aws.ec2.LaunchTemplate(
        `${name}-${id}`,
        hardenedLaunchTemplate(nodeSecurityGroups, spec.diskGb, {
          ...args.tags,
          Name: `${args.clusterName}-${id}`,
        }),
        { parent: this },
      );
      return new aws.eks.NodeGroup(
        `${name}-${id}`,
        {
          clusterName,
          version: this.cluster.version,
          nodeRoleArn: nodes.role.arn,
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
          tags: { ...args.tags, ...spec.tags },
        },
        {
          parent: this,
          dependsOn: [...nodes.attachments, vpcCni, kubeProxy],
          // cluster-autoscaler owns the current size.
          ignoreChanges: ["scalingConfig.desiredSize"],
        },
      );
    };

    const sys = args.systemPool;
    const systemLabels = { [POOL_LABEL]: "system" };
    this.systemNodeGroup = nodeGroup("system", {
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: [sys.machineType ?? DEFAULT_SYSTEM_INSTANCE],
      capacityType: "ON_DEMAND",
      scalingConfig: {
        minSize: sys.minNodes,
        maxSize: sys.maxNodes,
        desiredSize: Math.max(sys.minNodes, 1),
      },
      labels: systemLabels,
      subnetIds: args.privateSubnetIds,
      diskGb: 100,
      tags: { ...discovery, ...autoscalerNodeTemplateTags(systemLabels, [], 0) },
    });

    this.gpuNodeGroups = args.gpuPools.map((pool) => {
      const spec = eksGpuNodeGroupSpec(pool);
      const subnetIds = pool.zones
        ? pulumi
            .all([pulumi.all(args.privateSubnetIds), pulumi.all(args.privateSubnetZones)])
            .apply(([ids, zones]) => {
              const picked = ids.filter((_, i) => pool.zones?.includes(zones[i]));
              if (picked.length === 0)
                throw new Error(
                  `GPU pool ${pool.name}: none of zones ${pool.zones?.join(", ")} has a private subnet (the VPC spans ${zones.join(", ")}).`,
                );
              return picked;
            })
        : args.privateSubnetIds;
      const group = nodeGroup(`gpu-${pool.name}`, {
        ...spec,
        subnetIds,
        // Model images with CUDA are large.
        diskGb: 200,
        tags: { ...discovery, ...spec.nodeTemplateTags, "gpu-kind": pool.gpu },
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
          `${name}-gpu-${pool.name}-${slug}`,
          { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } },
          { parent: this },
        );
      }
      return group;
    });

    // --- Add-ons that need a node ---------------------------------------------------
    const coreDns = addon("coredns", {}, [this.systemNodeGroup]);
    const ebsRole = role(
      "ebs-csi",
      irsa("kube-system", "ebs-csi-controller-sa"),
      ["service-role/AmazonEBSCSIDriverPolicy"],
      `EBS CSI driver of ${args.clusterName} (IRSA)`,
    );
    const ebsCsi = addon("aws-ebs-csi-driver", { serviceAccountRoleArn: ebsRole.role.arn }, [
      this.systemNodeGroup,
      ...ebsRole.attachments,
    ]);
    this.addons = {
      "vpc-cni": vpcCni,
      "kube-proxy": kubeProxy,
      coredns: coreDns,
      "aws-ebs-csi-driver": ebsCsi,
    };

    // --- Kubernetes access ---------------------------------------------------------
    this.name = clusterName;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([clusterName, this.cluster.endpoint, this.cluster.certificateAuthority])
        .apply(([n, endpoint, ca]) => eksKubeconfig(n, endpoint, ca?.data ?? "", args.region)),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      // Talk to the API only once the deployer may, and there is a node with DNS to schedule on.
      { parent: this, dependsOn: [...adminAccess, this.systemNodeGroup, coreDns] },
    );

    this.storageClassResource = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: {
          name: this.storageClass,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        // In prod a deleted claim leaves its volume behind for recovery.
        reclaimPolicy: protect ? "Retain" : "Delete",
      },
      { parent: this, provider: this.provider, dependsOn: [ebsCsi] },
    );

    const autoscalerRole = role(
      "cluster-autoscaler",
      irsa("kube-system", "cluster-autoscaler"),
      [],
      `cluster-autoscaler of ${args.clusterName} (IRSA)`,
    );
    const autoscalerPolicy = new aws.iam.RolePolicy(
      `${name}-cluster-autoscaler`,
      {
        role: autoscalerRole.role.name,
        policy: JSON.stringify(clusterAutoscalerPolicy(args.clusterName)),
      },
      { parent: this },
    );
    this.autoscaler = pinnedRelease(
      `${name}-cluster-autoscaler`,
      CHARTS.clusterAutoscaler,
      {
        releaseName: "cluster-autoscaler",
        namespace: "kube-system",
        values: {
          cloudProvider: "aws",
          awsRegion: args.region,
          autoDiscovery: { clusterName: args.clusterName },
          image: { tag: CLUSTER_AUTOSCALER_TAGS[args.kubernetesVersion] },
          rbac: {
            serviceAccount: {
              create: true,
              name: "cluster-autoscaler",
              annotations: { "eks.amazonaws.com/role-arn": autoscalerRole.role.arn },
            },
          },
          extraArgs: {
            "balance-similar-node-groups": true,
            "skip-nodes-with-system-pods": false,
            expander: "least-waste",
          },
          nodeSelector: systemLabels,
          priorityClassName: "system-cluster-critical",
        },
      },
      { parent: this, provider: this.provider, dependsOn: [autoscalerPolicy] },
    );

    this.registerOutputs({
      name: this.name,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
    });
  }
}
