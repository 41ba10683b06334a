/** GCP rules: GKE clusters and node pools, Cloud SQL for PostgreSQL, Cloud Storage. */
import { asArray, cis, get, resourceRule, type Rule } from "../lib/rule";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const BUCKET = "gcp:storage/bucket:Bucket";
const BUCKET_IAM = [
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
];

const gke = (reference: string, specification: string) =>
  cis("CIS GKE Benchmark", "1.5.0", reference, specification);
const gcpCis = (reference: string, specification: string) =>
  cis("CIS Google Cloud Platform Foundation Benchmark", "2.0.0", reference, specification);

/** nodeConfig of a node pool, or of the cluster's default pool. */
const nodeConfigOf = (p: Record<string, any>) => p.nodeConfig ?? {};

export const gcpRules: Rule[] = [
  resourceRule({
    name: "gcp-gke-private-nodes",
    description:
      "GKE nodes must have private IPs only, so workers are not reachable from the internet.",
    severity: "high",
    types: [CLUSTER],
    tags: ["gcp", "gke", "network", "security"],
    framework: gke("5.6.5", "Ensure clusters are created with Private Nodes"),
    remediationSteps:
      "Set privateClusterConfig.enablePrivateNodes = true and give the cluster Cloud NAT for egress.",
    check: (p) =>
      get(p, "privateClusterConfig.enablePrivateNodes") === true
        ? []
        : ["privateClusterConfig.enablePrivateNodes is not true."],
  }),
  resourceRule({
    name: "gcp-gke-restricted-control-plane",
    description:
      "The GKE API endpoint must be private or limited to listed networks, never 0.0.0.0/0.",
    severity: "critical",
    types: [CLUSTER],
    tags: ["gcp", "gke", "network", "security"],
    framework: gke("5.6.3", "Ensure Control Plane Authorized Networks is Enabled"),
    remediationSteps:
      "Set masterAuthorizedNetworksConfig.cidrBlocks to your VPN/CI ranges, or enablePrivateEndpoint = true.",
    check: (p) => {
      const blocks = asArray(get(p, "masterAuthorizedNetworksConfig.cidrBlocks")).map((b: any) =>
        String(b.cidrBlock),
      );
      if (blocks.some((c) => c.endsWith("/0")))
        return ["masterAuthorizedNetworksConfig admits 0.0.0.0/0."];
      if (get(p, "privateClusterConfig.enablePrivateEndpoint") === true) return [];
      return p.masterAuthorizedNetworksConfig
        ? []
        : [
            "masterAuthorizedNetworksConfig is absent: the public endpoint is open to the internet.",
          ];
    },
  }),
  resourceRule({
    name: "gcp-gke-workload-identity",
    description:
      "GKE clusters must enable Workload Identity so pods use their own Google identity, not the node's.",
    severity: "high",
    types: [CLUSTER],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gke("5.2.2", "Prefer using dedicated GCP Service Accounts and Workload Identity"),
    remediationSteps: "Set workloadIdentityConfig.workloadPool = '<project>.svc.id.goog'.",
    check: (p) =>
      get(p, "workloadIdentityConfig.workloadPool")
        ? []
        : ["workloadIdentityConfig.workloadPool is not set."],
  }),
  resourceRule({
    name: "gcp-gke-metadata-server",
    description:
      "GKE node pools must run the GKE metadata server, which hides node credentials from pods.",
    severity: "high",
    types: [NODE_POOL],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gke("5.4.2", "Ensure the GKE Metadata Server is Enabled"),
    remediationSteps: "Set nodeConfig.workloadMetadataConfig.mode = 'GKE_METADATA'.",
    check: (p) =>
      get(nodeConfigOf(p), "workloadMetadataConfig.mode") === "GKE_METADATA"
        ? []
        : ["nodeConfig.workloadMetadataConfig.mode is not GKE_METADATA."],
  }),
  resourceRule({
    name: "gcp-gke-shielded-nodes",
    description: "GKE nodes must be Shielded VMs with secure boot and integrity monitoring.",
    severity: "medium",
    types: [CLUSTER, NODE_POOL],
    tags: ["gcp", "gke", "security"],
    framework: gke("5.5.5", "Ensure Shielded GKE Nodes are Enabled"),
    remediationSteps:
      "Set enableShieldedNodes (cluster) and nodeConfig.shieldedInstanceConfig.enableSecureBoot = true (pools).",
    check: (p, ctx) => {
      if (ctx.type === CLUSTER)
        return p.enableShieldedNodes === false ? ["enableShieldedNodes is false."] : [];
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
    description: "GKE clusters must not use legacy ABAC, basic auth or client certificates.",
    severity: "high",
    types: [CLUSTER],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gke("5.8.1", "Ensure authentication using Client Certificates is Disabled"),
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
    description:
      "GKE clusters must be enrolled in a release channel so the control plane and nodes get security patches.",
    severity: "medium",
    types: [CLUSTER],
    tags: ["gcp", "gke", "patching"],
    framework: gke(
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
    description: "GKE node pools must auto-repair and auto-upgrade.",
    severity: "medium",
    types: [NODE_POOL],
    tags: ["gcp", "gke", "patching", "reliability"],
    framework: gke("5.5.2", "Ensure Node Auto-Repair is enabled for GKE nodes"),
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
    description:
      "GKE nodes must run as a dedicated least-privilege service account, not the Compute Engine default.",
    severity: "high",
    types: [NODE_POOL],
    tags: ["gcp", "gke", "iam", "security"],
    framework: gke(
      "5.2.1",
      "Ensure GKE clusters are not running using the Compute Engine default service account",
    ),
    remediationSteps:
      "Create a service account with logging/monitoring/artifact-reader roles and set nodeConfig.serviceAccount to it.",
    check: (p) => {
      const sa = get(nodeConfigOf(p), "serviceAccount");
      if (!sa || sa === "default")
        return [
          "nodeConfig.serviceAccount is not set: nodes would use the Compute Engine default SA.",
        ];
      return /-compute@developer\.gserviceaccount\.com$/.test(sa)
        ? ["nodeConfig.serviceAccount is the Compute Engine default SA."]
        : [];
    },
  }),
  resourceRule({
    name: "gcp-gke-cos-containerd",
    description: "GKE nodes must use Container-Optimized OS with containerd.",
    severity: "low",
    types: [NODE_POOL],
    tags: ["gcp", "gke", "security"],
    framework: gke(
      "5.5.1",
      "Ensure Container-Optimized OS (cos_containerd) is used for GKE node images",
    ),
    remediationSteps: "Set nodeConfig.imageType = 'COS_CONTAINERD'.",
    check: (p) => {
      const t = get(nodeConfigOf(p), "imageType");
      // Absent means GKE's default, which is COS_CONTAINERD.
      return t === undefined || t === "COS_CONTAINERD" ? [] : [`nodeConfig.imageType is ${t}.`];
    },
  }),
  resourceRule({
    name: "gcp-gke-network-policy",
    description:
      "GKE clusters must enforce Kubernetes NetworkPolicy (Dataplane V2 or the network policy add-on).",
    severity: "medium",
    types: [CLUSTER],
    tags: ["gcp", "gke", "network"],
    framework: gke("5.6.7", "Ensure Network Policy is Enabled and set as appropriate"),
    remediationSteps:
      "Set datapathProvider = 'ADVANCED_DATAPATH' (Dataplane V2) or networkPolicy.enabled = true.",
    check: (p) =>
      p.datapathProvider === "ADVANCED_DATAPATH" || get(p, "networkPolicy.enabled") === true
        ? []
        : ["NetworkPolicy is not enforced."],
  }),
  resourceRule({
    name: "gcp-cloudsql-private-ip-only",
    description: "Cloud SQL instances must have no public IP.",
    severity: "critical",
    types: [SQL],
    tags: ["gcp", "cloudsql", "network", "security"],
    framework: gcpCis("6.6", "Ensure That Cloud SQL Database Instances Do Not Have Public IPs"),
    remediationSteps:
      "Set settings.ipConfiguration.ipv4Enabled = false and privateNetwork to your VPC (Private Service Access).",
    // Provider default: ipv4Enabled true.
    check: (p) => {
      const ip = get(p, "settings.ipConfiguration") ?? {};
      const out: string[] = [];
      if (ip.ipv4Enabled !== false)
        out.push("settings.ipConfiguration.ipv4Enabled is not false (public IP).");
      if (!ip.privateNetwork) out.push("settings.ipConfiguration.privateNetwork is not set.");
      return out;
    },
  }),
  resourceRule({
    name: "gcp-cloudsql-tls-required",
    description: "Cloud SQL must refuse unencrypted connections.",
    severity: "high",
    types: [SQL],
    tags: ["gcp", "cloudsql", "encryption"],
    framework: gcpCis(
      "6.4",
      "Ensure That the Cloud SQL Database Instance Requires All Incoming Connections To Use SSL",
    ),
    remediationSteps:
      "Set settings.ipConfiguration.sslMode = 'ENCRYPTED_ONLY' (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED).",
    check: (p) => {
      const mode = get(p, "settings.ipConfiguration.sslMode");
      return mode === "ENCRYPTED_ONLY" || mode === "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
        ? []
        : [`sslMode is ${mode ?? "unset (unencrypted allowed)"}.`];
    },
  }),
  resourceRule<{ minRetainedBackups: number }>({
    name: "gcp-cloudsql-backups",
    description:
      "Cloud SQL must take automated backups with point-in-time recovery and keep enough of them.",
    severity: "high",
    types: [SQL],
    tags: ["gcp", "cloudsql", "reliability", "backup"],
    framework: gcpCis(
      "6.7",
      "Ensure That Cloud SQL Database Instances Are Configured With Automated Backups",
    ),
    remediationSteps:
      "Enable settings.backupConfiguration with pointInTimeRecoveryEnabled and backupRetentionSettings.retainedBackups >= the threshold.",
    config: {
      minRetainedBackups: {
        type: "integer",
        default: 7,
        minimum: 1,
        description: "Fewest daily backups to keep.",
      },
    },
    check: (p, { config }) => {
      const b = get(p, "settings.backupConfiguration") ?? {};
      const out: string[] = [];
      if (b.enabled !== true) out.push("automated backups are off.");
      if (b.pointInTimeRecoveryEnabled !== true) out.push("point-in-time recovery is off.");
      const kept = get(b, "backupRetentionSettings.retainedBackups") ?? 7; // Cloud SQL's default.
      if (kept < config.minRetainedBackups)
        out.push(`keeps ${kept} backups; at least ${config.minRetainedBackups} required.`);
      return out;
    },
  }),
  resourceRule<{ requireHighAvailability: boolean }>({
    name: "gcp-cloudsql-resilience",
    description:
      "Cloud SQL must keep deletion protection on, and be REGIONAL where high availability is required (prod).",
    severity: "high",
    types: [SQL],
    tags: ["gcp", "cloudsql", "reliability"],
    remediationSteps:
      "Set deletionProtection and settings.deletionProtectionEnabled = true; set settings.availabilityType = 'REGIONAL' in prod.",
    config: {
      requireHighAvailability: {
        type: "boolean",
        default: false,
        description: "Require REGIONAL availability.",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      if (p.deletionProtection === false) out.push("Pulumi deletionProtection is false.");
      if (get(p, "settings.deletionProtectionEnabled") !== true)
        out.push("settings.deletionProtectionEnabled is not true.");
      if (config.requireHighAvailability && get(p, "settings.availabilityType") !== "REGIONAL")
        out.push("availabilityType is not REGIONAL.");
      return out;
    },
  }),
  resourceRule<{ requiredFlags: string[] }>({
    name: "gcp-cloudsql-postgres-log-flags",
    description:
      "Cloud SQL for PostgreSQL must log connections, disconnections, checkpoints and lock waits.",
    severity: "low",
    types: [SQL],
    tags: ["gcp", "cloudsql", "logging"],
    framework: gcpCis(
      "6.2.2",
      "Ensure that the log_connections database flag for Cloud SQL PostgreSQL instance is set to on",
    ),
    remediationSteps: "Add settings.databaseFlags entries with value 'on' for each required flag.",
    config: {
      requiredFlags: {
        type: "array",
        items: { type: "string" },
        default: ["log_connections", "log_disconnections", "log_checkpoints", "log_lock_waits"],
        description: "Flags that must be on.",
      },
    },
    check: (p, { config }) => {
      if (!String(p.databaseVersion ?? "").startsWith("POSTGRES")) return [];
      const flags = new Map(
        asArray(get(p, "settings.databaseFlags")).map((f: any) => [f.name, f.value]),
      );
      const missing = config.requiredFlags.filter((f) => flags.get(f) !== "on");
      return missing.length ? [`flags not on: ${missing.join(", ")}.`] : [];
    },
  }),
  resourceRule({
    name: "gcp-gcs-uniform-access",
    description: "Cloud Storage buckets must use uniform bucket-level access (no object ACLs).",
    severity: "medium",
    types: [BUCKET],
    tags: ["gcp", "storage", "iam"],
    framework: gcpCis(
      "5.2",
      "Ensure That Cloud Storage Buckets Have Uniform Bucket-Level Access Enabled",
    ),
    remediationSteps: "Set uniformBucketLevelAccess = true.",
    check: (p) =>
      p.uniformBucketLevelAccess === true ? [] : ["uniformBucketLevelAccess is not true."],
  }),
  resourceRule({
    name: "gcp-gcs-public-access-prevention",
    description: "Cloud Storage buckets must enforce public access prevention.",
    severity: "high",
    types: [BUCKET],
    tags: ["gcp", "storage", "security"],
    framework: gcpCis(
      "5.1",
      "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    ),
    remediationSteps: "Set publicAccessPrevention = 'enforced'.",
    check: (p) =>
      p.publicAccessPrevention === "enforced"
        ? []
        : [`publicAccessPrevention is ${p.publicAccessPrevention ?? "inherited"}.`],
  }),
  resourceRule({
    name: "gcp-gcs-versioning",
    description:
      "Cloud Storage buckets holding artifacts must be versioned so overwrites and deletes can be undone.",
    severity: "medium",
    types: [BUCKET],
    tags: ["gcp", "storage", "reliability"],
    remediationSteps:
      "Set versioning.enabled = true and cap noncurrent versions with a lifecycle rule.",
    check: (p) => (get(p, "versioning.enabled") === true ? [] : ["versioning is off."]),
  }),
  resourceRule({
    name: "gcp-gcs-no-public-iam",
    description: "Bucket IAM must not grant anything to allUsers or allAuthenticatedUsers.",
    severity: "critical",
    types: BUCKET_IAM,
    tags: ["gcp", "storage", "iam", "security"],
    framework: gcpCis(
      "5.1",
      "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    ),
    remediationSteps:
      "Grant roles to specific principals; serve public content through a CDN with signed URLs.",
    check: (p) => {
      const members = [p.member, ...asArray(p.members)].filter(Boolean).map(String);
      const bad = members.filter((m) => m === "allUsers" || m === "allAuthenticatedUsers");
      return bad.length ? [`grants ${p.role} to ${bad.join(", ")}.`] : [];
    },
  }),
];
