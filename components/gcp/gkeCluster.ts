import * as gcp from "./sdk";
import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import {
  GPU_KIND_LABEL,
  GPU_TAINT,
  POOL_LABEL,
  type ClusterOutputs,
  type NodeTaint,
} from "../contracts";
import type { AuthorizedNetwork, GpuPoolSpec } from "../model";
import { gkeGpuPlacement, gkeGpuProblems } from "./gpuCatalog";
import { isCidr } from "../lib/net";
import { FIXED_IDENTITY } from "../lib/replacement";
import {
  authorizedNetworkProblems,
  nodeBoundsProblems,
  regionRequired,
  systemPoolProblems,
  validateArgs,
  type ArgProblem,
} from "../lib/validation";

export interface GkeGpuClusterArgs {
  /**
   * The enabled Google APIs (GcpProjectServices). Every resource that does not
   * already wait for another one of the platform's resources waits for them.
   */
  apis?: pulumi.Resource;
  /** GCP project id that owns the cluster (also names the workload identity pool). */
  project: string;
  /** Region of the (regional) cluster, e.g. `us-central1`. */
  region: string;
  /** Physical cluster name. Defaults to the component name. */
  clusterName?: string;
  /** VPC id or self link. */
  network: pulumi.Input<string>;
  /** Subnet id or self link for the nodes. */
  subnetwork: pulumi.Input<string>;
  /** Secondary range name for pods. */
  podRangeName: string;
  /** Secondary range name for Services. */
  serviceRangeName: string;
  /** The control plane's private /28. https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters */
  controlPlaneCidr: string;
  /** Networks allowed to reach the API endpoint. Must not contain 0.0.0.0/0. */
  authorizedNetworks: AuthorizedNetwork[];
  /** Disable the public endpoint entirely. Defaults to false (public endpoint restricted by `authorizedNetworks`). */
  privateEndpoint?: boolean;
  /** GKE release channel. Defaults to `REGULAR`. https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels */
  releaseChannel?: "RAPID" | "REGULAR" | "STABLE";
  /** The always-on pool for platform services. `machineType` defaults to `e2-standard-4`. */
  systemPool: { machineType?: string; minNodes: number; maxNodes: number };
  /**
   * GPU pools, cloud-neutral. Note: changing a pool's `driverVersion` (or GPU kind,
   * machine type, spot) makes GKE recreate the pool (terraform-provider-google #23248);
   * pools are autonamed, so Pulumi creates the new pool before deleting the old one.
   */
  gpuPools: GpuPoolSpec[];
  /** GCP labels on the cluster and its nodes' VMs. */
  labels: Record<string, string>;
  /** GKE's own deletion protection. Defaults to true. */
  deletionProtection?: boolean;
  /** Pulumi `protect` on the cluster. Defaults to false. */
  protect?: boolean;
}

/** The args that come from config (everything but the network's outputs); what validation reads. */
export type GkeClusterSettings = Omit<
  GkeGpuClusterArgs,
  "network" | "subnetwork" | "podRangeName" | "serviceRangeName" | "apis"
>;

/** A GCE machine type (`e2-standard-4`, `g2-standard-8`, `custom-4-16384`); EC2 types have a dot. */
const GCE_MACHINE_TYPE_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;

/** GKE refuses node pool names longer than 40 characters (container v1 API, NodePool.name). */
export const GKE_NODE_POOL_NAME_MAX = 40;
/** pulumi-gcp autonames `name` as <logical name>-<7 hex> (tfbridge SetAutonaming): 8 more characters. */
const AUTONAME_SUFFIX_LENGTH = 8;

/**
 * Logical names of the node pools of the GkeGpuCluster named `component`. GKE gets
 * them with Pulumi's random suffix, which keeps create-before-delete replacement
 * possible (a fixed name would collide with the pool being replaced). Pure.
 */
export function gkeNodePoolNames(
  component: string,
  gpuPools: Pick<GpuPoolSpec, "name">[],
): { system: string; gpu: string[] } {
  return { system: `${component}-system`, gpu: gpuPools.map((p) => `${component}-gpu-${p.name}`) };
}

/** Node pool names that would exceed GKE's limit once Pulumi adds its suffix. Pure. */
export function gkeNodePoolNameProblems(
  component: string,
  gpuPools: Pick<GpuPoolSpec, "name">[],
): ArgProblem[] {
  const names = gkeNodePoolNames(component, gpuPools);
  const length = (n: string) => n.length + AUTONAME_SUFFIX_LENGTH;
  const over = (n: string) => length(n) - GKE_NODE_POOL_NAME_MAX;
  const problems: ArgProblem[] = [];
  if (over(names.system) > 0)
    problems.push({
      propertyPath: "clusterName",
      reason: `makes the system node pool's name "${names.system}-xxxxxxx" ${length(names.system)} characters, over GKE's ${GKE_NODE_POOL_NAME_MAX}: shorten namePrefix by ${over(names.system)}.`,
    });
  names.gpu.forEach((n, i) => {
    if (over(n) > 0)
      problems.push({
        propertyPath: `gpuPools[${i}].name`,
        reason: `"${gpuPools[i].name}" makes the node pool's name "${n}-xxxxxxx" ${length(n)} characters, over GKE's ${GKE_NODE_POOL_NAME_MAX}: shorten the pool name (or namePrefix) by ${over(n)}.`,
      });
  });
  return problems;
}

/** Reasons the args can't build a cluster; empty when they can. Pure. */
export function gkeClusterProblems(args: GkeClusterSettings): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (!args.project)
    problems.push({
      propertyPath: "project",
      reason: "is required: the GCP project id (`pulumi config set gcp:project <project-id>`).",
    });
  if (!args.region) problems.push(regionRequired("gcp", "us-central1"));
  const clusterName = args.clusterName ?? "";
  if (clusterName && !/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(clusterName)) {
    problems.push({
      propertyPath: "clusterName",
      reason: `"${clusterName}" must be a lowercase DNS label of at most 40 characters.`,
    });
  }
  if (!isCidr(args.controlPlaneCidr) || !args.controlPlaneCidr.endsWith("/28")) {
    problems.push({
      propertyPath: "controlPlaneCidr",
      reason: `(${args.controlPlaneCidr}) must be a /28 such as 172.16.0.0/28, as GKE requires for the control plane.`,
    });
  }
  problems.push(
    ...authorizedNetworkProblems(args.authorizedNetworks, args.privateEndpoint ?? false),
  );
  problems.push(...systemPoolProblems(args.systemPool));
  const machineType = args.systemPool.machineType;
  if (machineType && !GCE_MACHINE_TYPE_RE.test(machineType))
    problems.push({
      propertyPath: "systemPool.machineType",
      reason: `"${machineType}" is not a GCE machine type${machineType.includes(".") ? " (it is an EC2 instance type, not a GCE machine type)" : ""}: use e.g. e2-standard-4, or drop it for the default.`,
    });
  args.gpuPools.forEach((pool, i) => {
    problems.push(...nodeBoundsProblems(`gpuPools[${i}]`, pool));
    for (const reason of gkeGpuProblems(pool, args.region || undefined))
      problems.push({ propertyPath: `gpuPools[${i}]`, reason });
  });
  return problems;
}

/** Node config shared by every pool: hardened image, dedicated SA, GKE metadata server, shielded VM. */
export function hardenedNodeConfig(
  serviceAccount: pulumi.Input<string>,
  labels: Record<string, string>,
) {
  return {
    imageType: "COS_CONTAINERD",
    serviceAccount,
    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
    workloadMetadataConfig: { mode: "GKE_METADATA" },
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    metadata: { "disable-legacy-endpoints": "true" },
    resourceLabels: labels,
    diskType: "pd-balanced",
  };
}

/** The `nodeConfig` and autoscaling of one GPU pool. Pure; exported for tests. */
export function gkeGpuPoolSpec(pool: GpuPoolSpec, region: string) {
  const placement = gkeGpuPlacement(pool, region);
  return {
    nodeLocations: placement.zones,
    autoscaling: {
      totalMinNodeCount: pool.minNodes,
      totalMaxNodeCount: pool.maxNodes,
      // Spot capacity: take it in whichever zone has it.
      locationPolicy: pool.spot ? "ANY" : "BALANCED",
    },
    // Constant and ignored after create (below): it is per zone, forces replacement when it
    // changes, and the autoscaler brings the pool to totalMinNodeCount anyway.
    initialNodeCount: 0,
    machineType: placement.machineType,
    spot: pool.spot,
    guestAccelerators: [
      {
        type: placement.acceleratorType,
        count: pool.gpusPerNode,
        gpuDriverInstallationConfig: { gpuDriverVersion: pool.driverVersion },
      },
    ],
    labels: { [POOL_LABEL]: pool.name, [GPU_KIND_LABEL]: pool.gpu },
  };
}

/** Node service account roles: logs, metrics, image pulls. Nothing else. */
export const NODE_SA_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
  "roles/autoscaling.metricsWriter",
  "roles/artifactregistry.reader",
];

/**
 * Kubeconfig for a GKE cluster's DNS-based endpoint, authenticating with
 * `gke-gcloud-auth-plugin` (install it with `gcloud components install
 * gke-gcloud-auth-plugin`) as whoever gcloud is logged in as. Pure.
 */
export function gkeKubeconfig(clusterName: string, dnsEndpoint: string): string {
  const context = `gke_${clusterName}`;
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: context,
          // The DNS endpoint serves a publicly trusted certificate, not the cluster CA's, so no
          // certificate-authority-data (gcloud's kubeconfig util omits it for DNS endpoints too).
          cluster: { server: `https://${dnsEndpoint}` },
        },
      ],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      "current-context": context,
      users: [
        {
          name: context,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "gke-gcloud-auth-plugin",
              provideClusterInfo: true,
              installHint:
                "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            },
          },
        },
      ],
    },
    null,
    2,
  );
}

/**
 * A private, regional GKE cluster for ML: private nodes, API restricted to
 * authorized networks, workload identity, Dataplane V2 (network policy),
 * shielded nodes, a release channel, the default pool removed, a system pool
 * and autoscaled GPU pools whose drivers GKE installs. Exposes the
 * {@link ClusterOutputs} contract.
 */
export class GkeGpuCluster extends pulumi.ComponentResource implements ClusterOutputs {
  public readonly cluster: gcp.container.Cluster;
  public readonly nodeServiceAccount: gcp.serviceaccount.Account;
  public readonly systemPool: gcp.container.NodePool;
  public readonly gpuPools: gcp.container.NodePool[];
  public readonly name: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  /** `<project>.svc.id.goog`; IAM bindings to Kubernetes service accounts need it to exist. */
  public readonly workloadIdentityPool: pulumi.Output<string>;
  public readonly gpuTaint: NodeTaint = { ...GPU_TAINT };
  public readonly gpuPoolLabel = POOL_LABEL;
  public readonly storageClass = "standard-rwo";
  public readonly needsGpuDevicePlugin = false;
  // GKE's driver installer puts the driver on the host here (GoogleCloudPlatform/prometheus-engine
  // examples/nvidia-dcgm/exporter.yaml mounts it at /usr/local/nvidia for DCGM).
  public readonly gpuDriverHostPath = "/home/kubernetes/bin/nvidia";
  // Dataplane V2 (ADVANCED_DATAPATH) runs no kube-proxy.
  public readonly hasKubeProxy = false;

  constructor(name: string, args: GkeGpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cluster:GkeGpuCluster", name, {}, opts);
    validateArgs("mlops:cluster:GkeGpuCluster", name, [
      ...gkeClusterProblems(args),
      ...gkeNodePoolNameProblems(name, args.gpuPools),
    ]);
    const poolNames = gkeNodePoolNames(name, args.gpuPools);

    const clusterName = args.clusterName ?? name;
    const releaseChannel = args.releaseChannel ?? "REGULAR";
    const deletionProtection = args.deletionProtection ?? true;
    const privateEndpoint = args.privateEndpoint ?? false;

    this.nodeServiceAccount = new gcp.serviceaccount.Account(
      `${name}-nodes`,
      {
        project: args.project,
        accountId: `${clusterName}-nodes`.slice(0, 30).replace(/-+$/, ""),
        displayName: `GKE nodes of ${clusterName} (least privilege)`,
      },
      { parent: this, dependsOn: args.apis ? [args.apis] : [], ...FIXED_IDENTITY },
    );
    const nodeRoles = NODE_SA_ROLES.map(
      (role) =>
        new gcp.projects.IAMMember(
          `${name}-nodes-${role.split("/")[1].replace(/\./g, "-").toLowerCase()}`,
          { project: args.project, role, member: this.nodeServiceAccount.member },
          { parent: this, ...FIXED_IDENTITY },
        ),
    );
    const nodeBase = hardenedNodeConfig(this.nodeServiceAccount.email, args.labels);

    this.cluster = new gcp.container.Cluster(
      `${name}-gke`,
      {
        name: clusterName,
        project: args.project,
        location: args.region,
        network: args.network,
        subnetwork: args.subnetwork,
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        // The short-lived default pool is hardened too: it must never run with the default compute SA.
        nodeConfig: nodeBase,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: {
          clusterSecondaryRangeName: args.podRangeName,
          servicesSecondaryRangeName: args.serviceRangeName,
        },
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: privateEndpoint,
          masterIpv4CidrBlock: args.controlPlaneCidr,
        },
        masterAuthorizedNetworksConfig: {
          cidrBlocks: args.authorizedNetworks.map((n) => ({
            cidrBlock: n.cidr,
            displayName: n.name,
          })),
        },
        // DNS-based endpoint: reachable from runners without fixed egress IPs (GitHub-hosted),
        // access decided by IAM on every request; the IP endpoint keeps the authorized networks
        // (cloud.google.com/kubernetes-engine/docs/concepts/network-isolation; CIS GKE 5.6.4 prefers it).
        controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        enableLegacyAbac: false,
        workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
        releaseChannel: { channel: releaseChannel },
        enableShieldedNodes: true,
        // Dataplane V2: eBPF networking with NetworkPolicy enforcement built in.
        datapathProvider: "ADVANCED_DATAPATH",
        addonsConfig: {
          gcePersistentDiskCsiDriverConfig: { enabled: true },
          httpLoadBalancing: { disabled: false },
          horizontalPodAutoscaling: { disabled: false },
        },
        loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"] },
        monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"] },
        costManagementConfig: { enabled: true },
        maintenancePolicy: {
          recurringWindow: {
            startTime: "2025-01-04T03:00:00Z",
            endTime: "2025-01-04T09:00:00Z",
            recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
          },
        },
        resourceLabels: args.labels,
        deletionProtection,
      },
      {
        parent: this,
        protect: args.protect ?? false,
        dependsOn: nodeRoles,
        ...FIXED_IDENTITY,
        // TPG #12070: with the default pool removed, nodeConfig (and initialNodeCount) read back
        // differently after create, and the next up would plan to replace the whole cluster.
        ignoreChanges: ["nodeConfig", "initialNodeCount"],
      },
    );

    this.systemPool = new gcp.container.NodePool(
      poolNames.system,
      {
        project: args.project,
        cluster: this.cluster.id,
        location: args.region,
        autoscaling: {
          totalMinNodeCount: args.systemPool.minNodes,
          totalMaxNodeCount: args.systemPool.maxNodes,
          locationPolicy: "BALANCED",
        },
        initialNodeCount: 1,
        management: { autoRepair: true, autoUpgrade: true },
        upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
        nodeConfig: {
          ...nodeBase,
          machineType: args.systemPool.machineType ?? "e2-standard-4",
          diskSizeGb: 100,
          labels: { [POOL_LABEL]: "system" },
        },
      },
      // initialNodeCount (per zone) forces replacement when it changes: fixed at create, then ignored.
      { parent: this, ignoreChanges: ["initialNodeCount"] },
    );

    this.gpuPools = args.gpuPools.map((pool, i) => {
      const spec = gkeGpuPoolSpec(pool, args.region);
      return new gcp.container.NodePool(
        poolNames.gpu[i],
        {
          project: args.project,
          cluster: this.cluster.id,
          location: args.region,
          nodeLocations: spec.nodeLocations,
          autoscaling: spec.autoscaling,
          initialNodeCount: spec.initialNodeCount,
          management: { autoRepair: true, autoUpgrade: true },
          upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
          nodeConfig: {
            ...nodeBase,
            machineType: spec.machineType,
            spot: spec.spot,
            guestAccelerators: spec.guestAccelerators,
            diskSizeGb: 200,
            labels: spec.labels,
            resourceLabels: { ...args.labels, "gpu-kind": pool.gpu },
          },
        },
        // The node pool only exists inside the cluster; deleting a pool with GPUs before
        // its replacement exists would strand workloads, so keep Pulumi's default create-before-delete.
        // initialNodeCount forces replacement when it changes: fixed at create, then ignored.
        { parent: this, ignoreChanges: ["initialNodeCount"] },
      );
    });

    this.name = this.cluster.name;
    this.workloadIdentityPool = this.cluster.workloadIdentityConfig.apply(
      (w) => w?.workloadPool ?? `${args.project}.svc.id.goog`,
    );
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.controlPlaneEndpointsConfig])
        .apply(([n, endpoints]) => {
          const dns = endpoints?.dnsEndpointConfig?.endpoint;
          if (!dns) throw new Error(`GKE cluster ${n} reports no DNS endpoint to reach its API.`);
          return gkeKubeconfig(n, dns);
        }),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      // The provider must not talk to the API before there is a node to schedule on.
      { parent: this, dependsOn: [this.systemPool] },
    );

    this.registerOutputs({
      name: this.name,
      kubeconfig: this.kubeconfig,
      workloadIdentityPool: this.workloadIdentityPool,
    });
  }
}
