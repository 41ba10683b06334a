/**
 * The EKS GPU cluster component: a thin class that validates its args, makes
 * the control plane and identity, and hands the rest to the files beside it
 * (access.ts, addons.ts, nodeGroups.ts, autoscaler.ts, kubeconfig.ts).
 */
import * as aws from "../sdk";
import * as k8s from "../../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { GPU_TAINT, POOL_LABEL, type ClusterOutputs, type NodeTaint } from "../../contracts";
import {
  eksVersionProblem,
  today,
  type AuthorizedNetwork,
  type EksAddon,
  type GpuPoolSpec,
} from "../../model";
import { isCidr, isPrivateCidr } from "../../lib/net";
import {
  authorizedNetworkProblems,
  nodeBoundsProblems,
  regionRequired,
  systemPoolProblems,
  validateArgs,
  type ArgProblem,
} from "../../lib/validation";
import { eksGpuProblems } from "../gpuCatalog";
import { irsaTrustPolicy, serviceTrustPolicy } from "../iamDocuments";
import { EC2_INSTANCE_TYPE_RE, IAM_PRINCIPAL_RE, isZoneOf } from "../names";
import { serviceRole, type RoleContext } from "../serviceRole";
import { createAdminAccess } from "./access";
import { createNetworkAddons, createNodeAddons } from "./addons";
import { ADDON_VERSION_RE, CLUSTER_AUTOSCALER_TAGS, resolveAddonVersions } from "./addonVersions";
import { createClusterAutoscaler } from "./autoscaler";
import { eksKubeconfig } from "./kubeconfig";
import { createMetricsServer } from "./metricsServer";
import { SYSTEM_LABELS, createGpuNodeGroup, createSystemNodeGroup } from "./nodeGroups";
import { FIXED_IDENTITY } from "../../lib/replacement";

/** Control-plane log types; all five, audit included (CIS EKS 2.1.1). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface EksGpuClusterArgs {
  /** Physical cluster name, e.g. `mlops-prod`. */
  clusterName: string;
  /** Region, e.g. `us-east-1` (GPU pool zones must be in it). */
  region: string;
  /** Kubernetes minor, e.g. `1.33`. Picks the add-on versions (./addonVersions.ts). */
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
  authorizedNetworks: AuthorizedNetwork[];
  /** Turn the public endpoint off entirely; `pulumi up` must then run inside the VPC. Defaults to false. */
  privateEndpoint?: boolean;
  /**
   * IAM role/user ARNs that get cluster-admin through EKS access entries. The
   * identity running `pulumi up` gets its own entry automatically; do not list it.
   */
  adminPrincipals: string[];
  /** The identity that runs `pulumi up`; defaults to the caller (see PlatformConfig). */
  deployerPrincipal?: string;
  /** IAM role/user ARNs with read access to every resource (preview and drift roles). */
  viewerPrincipals?: string[];
  /** The always-on node group for platform services. `machineType` defaults to `m6i.xlarge` (./nodeGroups.ts). */
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
  /** Leave the control-plane log group in place at destroy. Defaults to false. */
  retainLogs?: boolean;
  /** Import an existing control-plane log group (one a previous stack retained) instead of creating it. */
  adoptLogGroup?: boolean;
}

/** The args that come from config (everything but the network's outputs); what validation reads. */
export type EksClusterSettings = Omit<
  EksGpuClusterArgs,
  "privateSubnetIds" | "privateSubnetZones" | "nodeSecurityGroupId"
> &
  Partial<Pick<EksGpuClusterArgs, "privateSubnetIds" | "privateSubnetZones">>;

/** Reasons the args can't build a cluster; empty when they can. Pure. */
export function eksClusterProblems(args: EksClusterSettings, on = today()): ArgProblem[] {
  const problems: ArgProblem[] = [];
  const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,99}$/.test(args.clusterName))
    add("clusterName", `"${args.clusterName}" must be letters, digits and '-', at most 100.`);
  if (!args.region) problems.push(regionRequired("aws", "us-east-1"));
  const expired = eksVersionProblem(args.kubernetesVersion, on);
  if (expired) add("kubernetesVersion", expired);
  const pinned = Object.keys(CLUSTER_AUTOSCALER_TAGS).join(", ");
  const addons = resolveAddonVersions(args.kubernetesVersion, args.addonVersions);
  if ("missing" in addons)
    add(
      "kubernetesVersion",
      `${args.kubernetesVersion} has no pinned EKS add-on versions (${addons.missing.join(", ")}): use ${pinned}, or set cluster.addonVersions for every add-on.`,
    );
  else if (!CLUSTER_AUTOSCALER_TAGS[args.kubernetesVersion])
    add(
      "kubernetesVersion",
      `${args.kubernetesVersion} has no cluster-autoscaler image: use ${pinned}.`,
    );
  for (const [addon, version] of Object.entries(args.addonVersions ?? {})) {
    if (!ADDON_VERSION_RE.test(version ?? ""))
      add(
        `addonVersions.${addon}`,
        `"${version}" is not an EKS add-on version: write it as v1.20.1-eksbuild.3 (aws eks describe-addon-versions).`,
      );
  }
  if (args.privateSubnetIds && args.privateSubnetIds.length < 2)
    add("privateSubnetIds", "EKS needs subnets in at least two availability zones.");
  if (args.privateSubnetZones?.length !== args.privateSubnetIds?.length)
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
  problems.push(
    ...authorizedNetworkProblems(args.authorizedNetworks, args.privateEndpoint ?? false),
  );
  // One access entry per principal: EKS refuses a second entry for the same ARN.
  const seen = new Set<string>();
  const principals = [
    ...(args.deployerPrincipal ? [["deployerPrincipal", args.deployerPrincipal]] : []),
    ...args.adminPrincipals.map((arn, i) => [`adminPrincipals[${i}]`, arn]),
    ...(args.viewerPrincipals ?? []).map((arn, i) => [`viewerPrincipals[${i}]`, arn]),
  ] as [path: string, arn: string][];
  for (const [path, arn] of principals) {
    if (!IAM_PRINCIPAL_RE.test(arn))
      add(
        path,
        `"${arn}" is not an IAM role or user ARN: write arn:aws:iam::123456789012:role/platform-admins.`,
      );
    if (seen.has(arn))
      add(
        path,
        `"${arn}" is listed twice (deployerPrincipal, adminPrincipals and viewerPrincipals together): list each principal once.`,
      );
    seen.add(arn);
  }
  const sys = args.systemPool;
  if (sys.machineType && !EC2_INSTANCE_TYPE_RE.test(sys.machineType))
    add(
      "systemPool.machineType",
      `"${sys.machineType}" is not an EC2 instance type: use e.g. m6i.xlarge, or drop it for the default.`,
    );
  problems.push(...systemPoolProblems(sys));
  args.gpuPools.forEach((pool, i) => {
    problems.push(...nodeBoundsProblems(`gpuPools[${i}]`, pool));
    if (pool.maxNodes < 1)
      add(`gpuPools[${i}].maxNodes`, "must be at least 1 on EKS: remove the pool instead.");
    for (const reason of eksGpuProblems(pool)) add(`gpuPools[${i}]`, reason);
    const foreign = (pool.zones ?? []).filter((z) => !isZoneOf(z, args.region));
    if (foreign.length)
      add(
        `gpuPools[${i}].zones`,
        `${foreign.join(", ")} are not availability zones of ${args.region || "aws:region"}: write zones such as ${args.region || "us-east-1"}a.`,
      );
  });
  return problems;
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
  public readonly autoscaler: k8s.Release;
  public readonly name: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly gpuTaint: NodeTaint = { ...GPU_TAINT };
  public readonly gpuPoolLabel = POOL_LABEL;
  public readonly storageClass = "gp3";
  public readonly needsGpuDevicePlugin = true;
  // The AL2023 NVIDIA AMI's container toolkit injects the driver into containers.
  public readonly gpuDriverHostPath = undefined;
  // kube-proxy runs as a managed add-on (./addons.ts).
  public readonly hasKubeProxy = true;

  constructor(name: string, args: EksGpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cluster:EksGpuCluster", name, {}, opts);
    validateArgs("mlops:cluster:EksGpuCluster", name, eksClusterProblems(args));
    const addonVersions = resolveAddonVersions(args.kubernetesVersion, args.addonVersions);
    if ("missing" in addonVersions) throw new Error("unreachable: validated above");
    const protect = args.protect ?? false;
    const privateEndpoint = args.privateEndpoint ?? false;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const roles: RoleContext = { name, parent: this, partition, tags: args.tags };

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
      { parent: this, ...FIXED_IDENTITY },
    );

    const clusterRole = serviceRole(
      roles,
      "cluster-role",
      serviceTrustPolicy("eks.amazonaws.com"),
      ["AmazonEKSClusterPolicy"],
      `EKS control plane of ${args.clusterName}`,
    );

    // EKS would create this group itself with no expiry; owning it sets retention. The name is
    // fixed by EKS (docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html), so a group
    // left behind (retained, or re-created by EKS flushing logs after delete) makes the next
    // create fail with ResourceAlreadyExistsException: adoptLogGroup imports it instead.
    const logGroupName = `/aws/eks/${args.clusterName}/cluster`;
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: logGroupName, retentionInDays: args.logRetentionDays ?? 90, tags: args.tags },
      {
        parent: this,
        ...FIXED_IDENTITY,
        retainOnDelete: args.retainLogs ?? false,
        // The import option is a no-op once the group is in the state with this ID
        // (pulumi developer-docs/architecture/import.md); ignoring retention and tags lets the
        // import match a group EKS re-created, and the next up without adoptLogGroup sets them.
        ...(args.adoptLogGroup
          ? { import: logGroupName, ignoreChanges: ["retentionInDays", "tags", "tagsAll"] }
          : {}),
      },
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
          // The deployer gets an explicit, visible access entry (./access.ts) instead.
          bootstrapClusterCreatorAdminPermissions: false,
        },
        // The VPC CNI, kube-proxy and CoreDNS come as pinned managed add-ons (./addons.ts).
        bootstrapSelfManagedAddons: false,
        kubernetesNetworkConfig: { serviceIpv4Cidr: args.serviceCidr, ipFamily: "ipv4" },
        // Extended support costs six times as much: upgrade instead.
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: args.deletionProtection ?? true,
        tags: args.tags,
      },
      {
        parent: this,
        protect,
        dependsOn: [...clusterRole.attachments, logGroup],
        ...FIXED_IDENTITY,
      },
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

    const access = createAdminAccess(name, this, {
      clusterName,
      adminPrincipals: args.adminPrincipals,
      deployerPrincipal: args.deployerPrincipal,
      viewerPrincipals: args.viewerPrincipals ?? [],
      partition,
      tags: args.tags,
    });
    this.accessEntries = access.entries;

    // --- Add-ons that nodes need, then nodes, then add-ons that need a node ------
    const addonCtx = {
      ...roles,
      clusterName,
      clusterLabel: args.clusterName,
      versions: addonVersions.versions,
      irsa,
    };
    const { vpcCni, kubeProxy } = createNetworkAddons(addonCtx);

    const nodes = serviceRole(
      roles,
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
    const nodeCtx = {
      ...roles,
      clusterLabel: args.clusterName,
      cluster: this.cluster,
      nodeRole: nodes.role,
      securityGroupIds: [this.cluster.vpcConfig.clusterSecurityGroupId, args.nodeSecurityGroupId],
      dependsOn: [...nodes.attachments, vpcCni, kubeProxy],
    };
    this.systemNodeGroup = createSystemNodeGroup(nodeCtx, args.systemPool, args.privateSubnetIds);
    this.gpuNodeGroups = args.gpuPools.map((pool) =>
      createGpuNodeGroup(nodeCtx, pool, {
        ids: args.privateSubnetIds,
        zones: args.privateSubnetZones,
      }),
    );

    const { coreDns, ebsCsi } = createNodeAddons(addonCtx, this.systemNodeGroup);
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
      { parent: this, dependsOn: [...access.associations, this.systemNodeGroup, coreDns] },
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

    this.autoscaler = createClusterAutoscaler(roles, {
      clusterName: args.clusterName,
      region: args.region,
      kubernetesVersion: args.kubernetesVersion,
      irsa,
      provider: this.provider,
      nodeSelector: SYSTEM_LABELS,
    });

    createMetricsServer(name, this, {
      provider: this.provider,
      nodeSelector: SYSTEM_LABELS,
      replicas: protect ? 2 : 1,
    });

    this.registerOutputs({
      name: this.name,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
    });
  }
}
