/** GKE clusters and node pools: private nodes, restricted control plane, workload identity, hardened nodes. */
import { gkeCis } from "../../lib/frameworks";
import { asArray, get, resourceRule, type Rule } from "../../lib/rule";
import { GKE_CLUSTER, GKE_NODE_POOL } from "../types";

/** nodeConfig of a node pool, or of the cluster's default pool. */
const nodeConfigOf = (p: Record<string, any>) => p.nodeConfig ?? {};

/**
 * Every node configuration a resource declares, with where it sits: a node pool's nodeConfig;
 * on a cluster, the default pool's nodeConfig (when given, or when the default pool is kept)
 * the inline node pools, and the node auto-provisioning defaults
 * (clusterAutoscaling.autoProvisioningDefaults), which shape every pool NAP creates.
 */
export function nodeConfigsOf(
  type: string,
  p: Record<string, any>,
): { at: string; cfg: Record<string, any> }[] {
  if (type !== GKE_CLUSTER) return [{ at: "nodeConfig", cfg: nodeConfigOf(p) }];
  const out: { at: string; cfg: Record<string, any> }[] = [];
  if (p.nodeConfig || p.removeDefaultNodePool !== true)
    out.push({ at: "nodeConfig", cfg: nodeConfigOf(p) });
  // Inline node pools (the cluster's nodePools list; gcp-gke-node-pools-separate refuses them).
  asArray<Record<string, any>>(p.nodePools).forEach((pool, i) =>
    out.push({ at: `nodePools[${i}].nodeConfig`, cfg: pool.nodeConfig ?? {} }),
  );
  const nap = get(p, "clusterAutoscaling.autoProvisioningDefaults");
  if (get(p, "clusterAutoscaling.enabled") === true)
    out.push({ at: "clusterAutoscaling.autoProvisioningDefaults", cfg: nap ?? {} });
  return out;
}

export const gkeRules: Rule[] = [
  resourceRule({
    name: "gcp-gke-private-nodes",
    covers: ["CKV_GCP_25", "CKV_GCP_64", "AVD-GCP-0059"],
    description:
      "GKE nodes must have private IPs only, so workers are not reachable from the internet.",
    severity: "high",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "network", "security"],
    framework: gkeCis("5.6.5", "Ensure clusters are created with Private Nodes"),
    remediationSteps:
      "Set privateClusterConfig.enablePrivateNodes = true and give the cluster Cloud NAT for egress.",
    check: (p) =>
      get(p, "privateClusterConfig.enablePrivateNodes") === true
        ? []
        : ["privateClusterConfig.enablePrivateNodes is not true."],
  }),
  resourceRule({
    name: "gcp-gke-restricted-control-plane",
    covers: ["CKV_GCP_18", "CKV_GCP_20", "AVD-GCP-0061"],
    description:
      "GKE control-plane authorized networks must be enabled (a private endpoint too, or any address in the VPC reaches it) and never admit 0.0.0.0/0.",
    severity: "critical",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "network", "security"],
    framework: gkeCis("5.6.3", "Ensure Control Plane Authorized Networks is Enabled"),
    remediationSteps:
      "Set masterAuthorizedNetworksConfig.cidrBlocks to your VPN/CI ranges, or enablePrivateEndpoint = true.",
    check: (p) => {
      const blocks = asArray(get(p, "masterAuthorizedNetworksConfig.cidrBlocks")).map((b: any) =>
        String(b.cidrBlock),
      );
      if (blocks.some((c) => c.endsWith("/0")))
        return ["masterAuthorizedNetworksConfig admits 0.0.0.0/0."];
      if (p.masterAuthorizedNetworksConfig) return [];
      // CIS GKE 5.6.3 asks for authorized networks whatever the endpoint: without them a private
      // endpoint admits every address routed to it (the VPC, peered and VPN networks).
      return get(p, "privateClusterConfig.enablePrivateEndpoint") === true
        ? [
            "masterAuthorizedNetworksConfig is absent: every address routed to the private endpoint reaches the control plane.",
          ]
        : [
            "masterAuthorizedNetworksConfig is absent: the public endpoint is open to the internet.",
          ];
    },
  }),
  resourceRule({
    name: "gcp-gke-vpc-native",
    covers: ["CKV_GCP_23", "AVD-GCP-0049"],
    description:
      "GKE clusters must be VPC-native (alias IP ranges for pods and Services), so firewall rules, flow logs and private Google access see pod addresses.",
    severity: "medium",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "network"],
    framework: gkeCis("5.6.2", "Ensure use of VPC-native clusters"),
    remediationSteps:
      "Set ipAllocationPolicy with the subnetwork's secondary ranges for pods and Services, and leave networkingMode VPC_NATIVE.",
    check: (p) => {
      const out: string[] = [];
      if (p.networkingMode === "ROUTES")
        out.push("networkingMode is ROUTES: pods get route-based addresses, not alias IPs.");
      // google_container_cluster: ip_allocation_policy is what makes a cluster VPC-native
      // (trivy's adapter reads the block's presence as IP aliasing enabled).
      if (!p.ipAllocationPolicy) out.push("ipAllocationPolicy is absent: IP aliasing is off.");
      return out;
    },
  }),
  resourceRule({
    name: "gcp-gke-node-pools-separate",
    covers: ["CKV_GCP_123"],
    description:
      "GKE node pools must be their own resources, not the cluster's inline nodePools: an inline pool cannot change or be replaced without the cluster, and the provider recommends against mixing both.",
    severity: "low",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "operations"],
    remediationSteps:
      "Move each entry of nodePools to a gcp.container.NodePool and set removeDefaultNodePool = true.",
    // google_container_cluster docs (node_pool): "We recommend that node pools be defined in a
    // separate google_container_node_pool resource".
    check: (p) =>
      asArray(p.nodePools).length > 0
        ? [`nodePools declares ${asArray(p.nodePools).length} inline pool(s).`]
        : [],
  }),
  resourceRule({
    name: "gcp-gke-workload-identity",
    description:
      "GKE clusters must enable Workload Identity so pods use their own Google identity, not the node's.",
    severity: "high",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gkeCis("5.2.2", "Prefer using dedicated GCP Service Accounts and Workload Identity"),
    remediationSteps: "Set workloadIdentityConfig.workloadPool = '<project>.svc.id.goog'.",
    check: (p) =>
      get(p, "workloadIdentityConfig.workloadPool")
        ? []
        : ["workloadIdentityConfig.workloadPool is not set."],
  }),
  resourceRule({
    name: "gcp-gke-metadata-server",
    covers: ["CKV_GCP_69", "AVD-GCP-0057"],
    description:
      "GKE node pools must run the GKE metadata server, which hides node credentials from pods.",
    severity: "high",
    types: [GKE_NODE_POOL],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gkeCis("5.4.2", "Ensure the GKE Metadata Server is Enabled"),
    remediationSteps: "Set nodeConfig.workloadMetadataConfig.mode = 'GKE_METADATA'.",
    check: (p) =>
      get(nodeConfigOf(p), "workloadMetadataConfig.mode") === "GKE_METADATA"
        ? []
        : ["nodeConfig.workloadMetadataConfig.mode is not GKE_METADATA."],
  }),
  resourceRule({
    name: "gcp-gke-shielded-nodes",
    covers: ["CKV_GCP_68", "CKV_GCP_71", "CKV_GCP_72", "AVD-GCP-0055"],
    description: "GKE nodes must be Shielded VMs with secure boot and integrity monitoring.",
    severity: "medium",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    tags: ["gcp", "gke", "security"],
    framework: gkeCis("5.5.5", "Ensure Shielded GKE Nodes are Enabled"),
    remediationSteps:
      "Set enableShieldedNodes (cluster) and nodeConfig.shieldedInstanceConfig.enableSecureBoot = true (pools).",
    check: (p, ctx) => {
      if (ctx.type === GKE_CLUSTER) {
        const out = p.enableShieldedNodes === false ? ["enableShieldedNodes is false."] : [];
        for (const { at, cfg } of nodeConfigsOf(ctx.type, p))
          if (at !== "nodeConfig" && get(cfg, "shieldedInstanceConfig.enableSecureBoot") !== true)
            out.push(`${at}.shieldedInstanceConfig.enableSecureBoot is not true.`);
        return out;
      }
      // Provider default: secure boot off, integrity monitoring on.
      const s = get(nodeConfigOf(p), "shieldedInstanceConfig") ?? {};
      const out: string[] = [];
      if (s.enableSecureBoot !== true)
        out.push("nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true.");
      if (s.enableIntegrityMonitoring === false)
        out.push("nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false.");
      return out;
    },
  }),
  resourceRule({
    name: "gcp-gke-no-legacy-auth",
    covers: ["CKV_GCP_7", "CKV_GCP_13", "AVD-GCP-0062", "AVD-GCP-0064", "kubescape:C-0088"],
    description: "GKE clusters must not use legacy ABAC, basic auth or client certificates.",
    severity: "high",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gkeCis("5.8.1", "Ensure authentication using Client Certificates is Disabled"),
    remediationSteps:
      "Set enableLegacyAbac = false and masterAuth.clientCertificateConfig.issueClientCertificate = false; remove masterAuth username/password.",
    check: (p) => {
      const out: string[] = [];
      if (p.enableLegacyAbac === true) out.push("enableLegacyAbac is true.");
      if (get(p, "masterAuth.clientCertificateConfig.issueClientCertificate") === true)
        out.push("client certificates are issued.");
      if (get(p, "masterAuth.username") || get(p, "masterAuth.password"))
        out.push("basic auth is configured.");
      return out;
    },
  }),
  resourceRule<{ allowedChannels: string[] }>({
    name: "gcp-gke-release-channel",
    covers: ["CKV_GCP_70"],
    description:
      "GKE clusters must be enrolled in a release channel so the control plane and nodes get security patches.",
    severity: "medium",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "patching"],
    framework: gkeCis(
      "5.5.4",
      "When creating New Clusters - Automate GKE version management using Release Channels",
    ),
    remediationSteps: "Set releaseChannel.channel to REGULAR or STABLE.",
    config: {
      allowedChannels: {
        type: "array",
        items: { type: "string" },
        default: ["RAPID", "REGULAR", "STABLE"],
        description: "Release channels allowed.",
      },
    },
    check: (p, { config }) => {
      const ch = get(p, "releaseChannel.channel");
      return config.allowedChannels.includes(ch)
        ? []
        : [
            `releaseChannel.channel is ${ch ?? "unset"}; allowed: ${config.allowedChannels.join(", ")}.`,
          ];
    },
  }),
  resourceRule({
    name: "gcp-gke-node-auto-repair-upgrade",
    covers: ["CKV_GCP_9", "CKV_GCP_10", "AVD-GCP-0058", "AVD-GCP-0063"],
    description: "GKE node pools must auto-repair and auto-upgrade.",
    severity: "medium",
    types: [GKE_NODE_POOL],
    tags: ["gcp", "gke", "patching", "reliability"],
    framework: gkeCis("5.5.2", "Ensure Node Auto-Repair is enabled for GKE nodes"),
    remediationSteps: "Set management.autoRepair = true and management.autoUpgrade = true.",
    // Provider default is true for both when `management` is absent.
    check: (p) => {
      const out: string[] = [];
      if (get(p, "management.autoRepair") === false) out.push("management.autoRepair is false.");
      if (get(p, "management.autoUpgrade") === false) out.push("management.autoUpgrade is false.");
      return out;
    },
  }),
  resourceRule({
    name: "gcp-gke-dedicated-node-sa",
    covers: ["CKV2_GCP_1", "AVD-GCP-0050"],
    description:
      "GKE nodes must run as a dedicated least-privilege service account, not the Compute Engine default.",
    severity: "high",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gkeCis(
      "5.2.1",
      "Ensure GKE clusters are not running using the Compute Engine default service account",
    ),
    remediationSteps:
      "Create a service account with logging/monitoring/artifact-reader roles and set nodeConfig.serviceAccount (and the NAP defaults' serviceAccount) to it.",
    check: (p, ctx) =>
      nodeConfigsOf(ctx.type, p).flatMap(({ at, cfg }) => {
        const sa = cfg.serviceAccount;
        if (!sa || sa === "default")
          return [
            `${at}.serviceAccount is not set: nodes would use the Compute Engine default SA.`,
          ];
        return /-compute@developer\.gserviceaccount\.com$/.test(sa)
          ? [`${at}.serviceAccount is the Compute Engine default SA.`]
          : [];
      }),
  }),
  resourceRule({
    name: "gcp-gke-cos-containerd",
    covers: ["CKV_GCP_22", "AVD-GCP-0054"],
    description: "GKE nodes must use Container-Optimized OS with containerd.",
    severity: "low",
    types: [GKE_CLUSTER, GKE_NODE_POOL],
    tags: ["gcp", "gke", "security"],
    framework: gkeCis(
      "5.5.1",
      "Ensure Container-Optimized OS (cos_containerd) is used for GKE node images",
    ),
    remediationSteps: "Set nodeConfig.imageType = 'COS_CONTAINERD'.",
    check: (p, ctx) =>
      nodeConfigsOf(ctx.type, p).flatMap(({ at, cfg }) => {
        const t = cfg.imageType;
        // Absent means GKE's default, which is COS_CONTAINERD.
        return t === undefined || String(t).toUpperCase() === "COS_CONTAINERD"
          ? []
          : [`${at}.imageType is ${t}.`];
      }),
  }),
  resourceRule({
    name: "gcp-gke-network-policy",
    covers: ["CKV_GCP_12", "AVD-GCP-0056"],
    description:
      "GKE clusters must enforce Kubernetes NetworkPolicy (Dataplane V2 or the network policy add-on).",
    severity: "medium",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "network"],
    framework: gkeCis("5.6.7", "Ensure Network Policy is Enabled and set as appropriate"),
    remediationSteps:
      "Set datapathProvider = 'ADVANCED_DATAPATH' (Dataplane V2) or networkPolicy.enabled = true.",
    // Autopilot clusters always run Dataplane V2, which enforces NetworkPolicy
    // (cloud.google.com/kubernetes-engine/docs/concepts/autopilot-security).
    check: (p) =>
      p.datapathProvider === "ADVANCED_DATAPATH" ||
      p.enableAutopilot === true ||
      get(p, "networkPolicy.enabled") === true
        ? []
        : ["NetworkPolicy is not enforced."],
  }),
  resourceRule<{ requireSecretsEncryption: boolean }>({
    name: "gcp-gke-secrets-encryption",
    covers: ["kubescape:C-0066"],
    description:
      "GKE must encrypt Kubernetes Secrets at the application layer with a Cloud KMS key where the stack requires it (GKE always encrypts etcd at rest with Google-managed keys; the KMS key adds a key the organisation controls, as aws-eks-secrets-encryption requires on EKS). A databaseEncryption block that says ENCRYPTED must name its key.",
    severity: "medium",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "encryption"],
    framework: gkeCis(
      "5.3.1",
      "Ensure Kubernetes Secrets are encrypted using keys managed in Cloud KMS",
    ),
    remediationSteps:
      "Set databaseEncryption = { state: 'ENCRYPTED', keyName: <Cloud KMS key in the cluster's region> } and grant the GKE service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it.",
    config: {
      requireSecretsEncryption: {
        type: "boolean",
        default: false,
        description:
          "Require application-layer Secrets encryption with a Cloud KMS key (the key and its grant to the GKE service agent are the organisation's).",
      },
    },
    check: (p, { config }) => {
      const state = get(p, "databaseEncryption.state");
      if (state === "ENCRYPTED")
        return get(p, "databaseEncryption.keyName") ? [] : ["databaseEncryption names no keyName."];
      return config.requireSecretsEncryption
        ? [
            "Secrets are not encrypted with a Cloud KMS key (databaseEncryption.state is not ENCRYPTED).",
          ]
        : [];
    },
  }),
  resourceRule<{ requireBinaryAuthorization: boolean; requireIntranodeVisibility: boolean }>({
    name: "gcp-gke-observability-and-admission",
    covers: [
      "CKV_GCP_1",
      "CKV_GCP_8",
      "AVD-GCP-0052",
      "AVD-GCP-0060",
      "CKV_GCP_61",
      "CKV_GCP_66",
      "kubescape:C-0067",
    ],
    description:
      "GKE clusters must keep Cloud Logging and Monitoring on; Binary Authorization and intranode visibility where the stack requires them.",
    severity: "medium",
    types: [GKE_CLUSTER],
    tags: ["gcp", "gke", "logging", "supply-chain"],
    framework: gkeCis(
      "5.7.1 / 5.10.5 / 5.6.1",
      "Enable Logging and Monitoring; Binary Authorization; VPC Flow Logs and Intranode Visibility",
    ),
    remediationSteps:
      "Keep loggingService/monitoringService (or loggingConfig/monitoringConfig components) enabled; set binaryAuthorization.evaluationMode = PROJECT_SINGLETON_POLICY_ENFORCE and enableIntranodeVisibility = true where required.",
    config: {
      requireBinaryAuthorization: {
        type: "boolean",
        default: false,
        description:
          "Require Binary Authorization (needs an attestation pipeline for every image, model servers included).",
      },
      requireIntranodeVisibility: {
        type: "boolean",
        default: false,
        description: "Require intranode visibility (pod-to-pod traffic in VPC Flow Logs).",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      // The legacy Stackdriver services (logging.googleapis.com, monitoring.googleapis.com) were
      // decommissioned; only the Kubernetes Engine ones collect anything (trivy AVD-GCP-0052/0060).
      const legacy = (v: unknown, svc: string) => v === `${svc}.googleapis.com`;
      if (legacy(p.loggingService, "logging"))
        out.push(
          "loggingService is the legacy logging.googleapis.com: use logging.googleapis.com/kubernetes.",
        );
      if (legacy(p.monitoringService, "monitoring"))
        out.push(
          "monitoringService is the legacy monitoring.googleapis.com: use monitoring.googleapis.com/kubernetes.",
        );
      if (
        p.loggingService === "none" ||
        (p.loggingConfig && asArray(p.loggingConfig.enableComponents).length === 0)
      )
        out.push("Cloud Logging is off.");
      if (
        p.monitoringService === "none" ||
        (p.monitoringConfig &&
          asArray(p.monitoringConfig.enableComponents).length === 0 &&
          !p.monitoringConfig.managedPrometheus)
      )
        out.push("Cloud Monitoring is off.");
      const mode = get(p, "binaryAuthorization.evaluationMode");
      if (
        config.requireBinaryAuthorization &&
        mode !== "PROJECT_SINGLETON_POLICY_ENFORCE" &&
        get(p, "binaryAuthorization.enabled") !== true
      )
        out.push("Binary Authorization is not enforced.");
      if (config.requireIntranodeVisibility && p.enableIntranodeVisibility !== true)
        out.push("intranode visibility is off.");
      return out;
    },
  }),
];
