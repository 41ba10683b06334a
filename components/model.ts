/**
 * The shared vocabulary of the platform: what a stack's config means once it is
 * resolved (PlatformConfig), and the cloud-neutral words it is written in
 * (environments, clouds, GPU kinds, database sizes). One definition each;
 * stacks/, components/ and the policy pack import them from here.
 *
 * Pure types and constants: no Pulumi, no I/O, so the policy pack can load it too.
 */

/** The Pulumi project name, which is also the config namespace of the platform's keys. */
export const PROJECT = "mlops-platform";

/** The env var that lets the shipped example stacks' placeholders through (tests, `npm run check --example`). */
export const ALLOW_PLACEHOLDERS_ENV = "MLOPS_ALLOW_PLACEHOLDERS";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const CLOUDS = ["gcp", "aws"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Cloud-neutral database sizes; each cloud maps them in its tracking-store table. */
export const DB_SIZES = ["small", "medium", "large", "xlarge"] as const;
export type DbSize = (typeof DB_SIZES)[number];

/** The Kubernetes extended resource GPU nodes offer (both clouds, NVIDIA device plugin). */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** The taint GPU nodes carry on both clouds (GKE adds it by itself; the EKS node groups set it). */
export const GPU_TAINT = { key: GPU_RESOURCE, value: "present", effect: "NoSchedule" } as const;

/** Kubernetes label on every node naming its pool (`system` or a GPU pool's name). */
export const POOL_LABEL = "mlops.dev/pool";

/** Kubernetes label on GPU nodes naming the cloud-neutral GPU kind. */
export const GPU_KIND_LABEL = "mlops.dev/gpu";

/** Oldest PostgreSQL major MLflow's store runs on here (both clouds still offer it). */
export const MIN_POSTGRES_VERSION = 15;

/** GPU kinds a pool may ask for. Not every kind exists on every cloud (see gcp/ and aws/ gpuCatalog.ts). */
export const GPU_KINDS = ["t4", "l4", "a10g", "a100", "a100-80gb", "h100"] as const;
export type GpuKind = (typeof GPU_KINDS)[number];

/** The EKS managed add-ons the platform installs (keys of `cluster.addonVersions`). */
export const EKS_ADDONS = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"] as const;
export type EksAddon = (typeof EKS_ADDONS)[number];

/** Canary analysis limits (the `canary` config key; the ClusterAnalysisTemplates use them). */
export interface CanaryThresholds {
  /** Canary's own non-5xx share of requests (absolute SLO), e.g. 0.99. */
  minSuccessRate: number;
  /** Canary's own p95 latency ceiling in seconds (absolute SLO), e.g. 0.5. */
  maxP95LatencySeconds: number;
  /** Canary error rate minus stable error rate, e.g. 0.01 (one percentage point). */
  maxErrorRateIncrease: number;
  /** Canary p95 latency over stable p95 latency, e.g. 1.25. */
  maxLatencyRatio: number;
  /** |canary positive-outcome rate - stable's|, for servers that export prediction counts, e.g. 0.1. */
  maxPredictionShift: number;
  /** Below this many canary requests per second a measurement is Inconclusive, never a pass. */
  minRequestsPerSecond: number;
}

/** CodeBuild Linux compute types a Pulumi run fits in (SMALL has 3 GB: too little for both SDKs). */
export const CI_RUNNER_COMPUTE_TYPES = [
  "BUILD_GENERAL1_MEDIUM",
  "BUILD_GENERAL1_LARGE",
  "BUILD_GENERAL1_XLARGE",
] as const;

/** AWS: the in-VPC GitHub Actions runner (`cluster.ciRunner`). */
export interface CiRunnerSettings {
  /** The repository whose workflows run there: https://github.com/<owner>/<repo>. */
  repository: string;
  /** The CodeConnections (or older CodeStar) connection to GitHub, approved once in the console. */
  connectionArn: string;
  computeType: (typeof CI_RUNNER_COMPUTE_TYPES)[number];
}

/**
 * The last day of standard support of each EKS Kubernetes minor (AWS EKS release calendar,
 * docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html; dates as listed on
 * endoflife.date/amazon-eks, checked 2026-11-22). After it EKS charges extended support,
 * and the platform creates clusters with supportType STANDARD, which EKS refuses or
 * upgrades. Shared by the EKS component, the config check and the policy pack.
 */
export const EKS_STANDARD_SUPPORT_ENDS: Record<string, string> = {
  "1.32": "2026-03-23",
  "1.33": "2026-07-29",
  "1.34": "2026-12-02",
  "1.35": "2027-03-27",
};

/**
 * Today as YYYY-MM-DD, the day support tables are judged on. MLOPS_TODAY pins it (the test
 * suite pins the day the tables were checked, so it does not change verdicts by itself).
 */
export function today(): string {
  return process.env.MLOPS_TODAY || new Date().toISOString().slice(0, 10);
}

/** Why an EKS minor cannot be used on `today` (ISO date), or undefined when it can. Pure. */
export function eksVersionProblem(minor: string, today: string): string | undefined {
  const ends = EKS_STANDARD_SUPPORT_ENDS[minor];
  const supported = Object.entries(EKS_STANDARD_SUPPORT_ENDS)
    .filter(([, end]) => end >= today)
    .map(([m]) => m);
  if (!ends)
    return `${minor} is not an EKS version this platform knows: use ${supported.join(" or ")}.`;
  if (ends < today)
    return `${minor} left EKS standard support on ${ends} (EKS then charges extended support or upgrades the cluster): use ${supported.join(" or ")}.`;
  return undefined;
}

/** A git revision that can't move under you: a full commit SHA or a semver tag. */
export const PINNED_REVISION_RE = /^([0-9a-f]{40}|v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?)$/;

/** Cloud-neutral description of a GPU node pool, as written in stack config. */
export interface GpuPoolSpec {
  /** DNS-label name of the pool, unique within the stack. */
  name: string;
  /** GPU kind, e.g. `l4`. */
  gpu: GpuKind;
  /** GPUs attached to every node of the pool. */
  gpusPerNode: number;
  /** Lower autoscaling bound, total over the pool's zones (GKE `totalMinNodeCount`, EKS `minSize`). */
  minNodes: number;
  /** Upper autoscaling bound, total over the pool's zones. */
  maxNodes: number;
  /** Spot / preemptible capacity. */
  spot: boolean;
  /** Explicit machine/instance type; overrides the cloud's table. */
  machineType?: string;
  /** Explicit zones (GKE node locations / EKS subnets' AZs); overrides the table. */
  zones?: string[];
  /** GKE driver channel installed by GKE itself. Changing it recreates the node pool. */
  driverVersion: "DEFAULT" | "LATEST";
}

/** Most GPUs the pools can hold at once: sum over pools of maxNodes x gpusPerNode (pool bounds are totals on both clouds). */
export function maxGpus(pools: Pick<GpuPoolSpec, "maxNodes" | "gpusPerNode">[]): number {
  return pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
}

/** Cloud-neutral settings of MLflow's database, shared by the GCP and AWS implementations. */
export interface DatabaseSettings {
  /** Cloud-neutral size; each cloud maps it to a tier / instance class. */
  size: DbSize;
  /** PostgreSQL major version (>= 15). */
  postgresVersion: number;
  /** Standby in another zone (Cloud SQL REGIONAL / RDS Multi-AZ). */
  highAvailability: boolean;
  /** Daily backups kept. */
  backupRetentionDays: number;
  /** Days of write-ahead log kept for point-in-time recovery. */
  pitrRetentionDays: number;
  /** Allocated storage (grows automatically). */
  diskSizeGb: number;
  /** The cloud's own deletion protection. */
  deletionProtection: boolean;
  /** Take a final snapshot when the database is deleted (RDS; Cloud SQL keeps backups per its own settings). */
  finalSnapshot: boolean;
  /**
   * RDS: apply instance changes at once instead of in the maintenance window. Needed for a
   * PostgreSQL major upgrade, whose old parameter group can only be deleted once the instance
   * has moved off it. Cloud SQL applies every change at once.
   */
  applyImmediately: boolean;
}

/** The MLflow tracking server's settings (the MlflowServer component takes them as they are). */
export interface MlflowSettings {
  /** Pinned image with mlflow, psycopg2 and the GCS/S3 clients. */
  image: string;
  /** The image's own numeric non-root uid (burakince/mlflow: 1001), so the kubelet can verify runAsNonRoot. */
  uid: number;
  /** Replicas. >= 2 adds a PodDisruptionBudget and zone spread. */
  replicas: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** Namespaces whose pods may reach MLflow (its NetworkPolicy); `training` and `models` by default. */
  clientNamespaces: string[];
  /** Extra Host names MLflow accepts (e.g. an ingress hostname); the Service names always are. */
  hostnames: string[];
  /** MLflow basic authentication (`--app-name basic-auth`), admin credentials in the `mlflow-auth` Secret. */
  auth: boolean;
}

/** Cloud-neutral settings of MLflow's artifact bucket. */
export interface ArtifactSettings {
  /** Noncurrent versions kept per object; older ones are deleted by lifecycle. */
  keepVersions: number;
  /** Allow deleting a non-empty bucket (dev only). */
  forceDestroy: boolean;
}

/** An allowed network for the Kubernetes API. */
export interface AuthorizedNetwork {
  name: string;
  cidr: string;
}

/** The fully resolved config every component reads. No optional fields but secrets. */
export interface PlatformConfig {
  cloud: Cloud;
  environment: Environment;
  /** Prefix for every physical name, e.g. `mlops-dev`. */
  namePrefix: string;
  /** Labels (GCP) / tags (AWS) on every resource that takes them. */
  labels: Record<string, string>;
  gcp: { project: string; region: string };
  aws: { region: string };
  network: {
    /** GKE nodes' subnet. */
    nodeCidr: string;
    /** GKE pods' secondary range. */
    podCidr: string;
    /** GKE services' secondary range; EKS Service range. */
    serviceCidr: string;
    /** GKE control plane's /28 (private cluster). */
    controlPlaneCidr: string;
    /** AWS VPC (/16 to /20): three private and three public subnets are cut from it. */
    vpcCidr: string;
    /** AWS NAT: one gateway (`single`) or one per zone (`perZone`, required in prod). */
    natGateways: "single" | "perZone";
    /** VPC flow logs (GCP subnet flow logs / AWS VPC flow logs to CloudWatch). */
    flowLogs: boolean;
  };
  cluster: {
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    kubernetesVersion: string;
    /** Networks allowed to reach the Kubernetes API. Never 0.0.0.0/0. */
    authorizedNetworks: AuthorizedNetwork[];
    /** Turn off the public API endpoint entirely (then `pulumi up` must run inside the VPC). */
    privateEndpoint: boolean;
    systemPool: { machineType?: string; minNodes: number; maxNodes: number };
    /** AWS: IAM role/user ARNs given cluster-admin through EKS access entries (the deployer is added automatically). */
    adminPrincipals: string[];
    /**
     * AWS: the IAM role that runs `pulumi up` (the CI deploy role). It gets its cluster-admin
     * access entry from config, so a preview by another identity plans no change to it. Without
     * it, whoever runs the program is taken (and a preview by another role plans to replace the entry).
     */
    deployerPrincipal?: string;
    /** AWS: IAM role/user ARNs that preview and check drift: read access to every resource, Secrets included. */
    viewerPrincipals: string[];
    /** AWS: overrides of the pinned EKS managed add-on versions. */
    addonVersions: Partial<Record<EksAddon, string>>;
    /** The cloud's own deletion protection on the cluster (GKE / EKS). */
    deletionProtection: boolean;
    /** AWS: days the EKS control-plane log group keeps logs. */
    logRetentionDays: number;
    /**
     * AWS: an in-VPC GitHub Actions runner (a CodeBuild project) for CI to reach a private or
     * allow-listed EKS API. Off unless set.
     */
    ciRunner?: CiRunnerSettings;
    /** AWS: `pulumi destroy` leaves the control-plane log group (and its audit logs) in place. */
    retainLogs: boolean;
    /** AWS: take over an existing `/aws/eks/<namePrefix>/cluster` log group instead of creating it. */
    adoptLogGroup: boolean;
  };
  gpuPools: GpuPoolSpec[];
  database: DatabaseSettings;
  artifacts: ArtifactSettings;
  mlflow: MlflowSettings;
  /** Alert receivers (secrets in the `alerting*` secret keys). Prod needs at least one. */
  alerting: {
    slack?: { channel: string };
    pagerduty?: Record<string, never>;
    webhook?: { url: string };
    email?: { to: string; from: string; smarthost: string; username?: string };
  };
  gitops: {
    /** The GitOps repo (the seeds' ml-deployments). */
    repoUrl: string;
    /** Directory of the root app-of-apps. */
    path: string;
    /** Directory whose subdirectories each become one model Application. */
    modelsPath: string;
    /** Branch (dev only), tag or commit. staging/prod must pin a tag or commit. */
    targetRevision: string;
    /**
     * Revision the model ApplicationSet reads `models/<name>/release-<env>.yaml` and rendered
     * manifests from: `main` by default, so a merged release PR deploys without a
     * platform `pulumi up` (release files pin digests and versions; review gates them).
     */
    modelsRevision: string;
    /** Host name Argo CD is reached at (its URL, the OIDC redirect); required with SSO. */
    domain?: string;
    /** How Argo CD authenticates to a private GitOps repo; the secret is `gitopsRepoSecret`. */
    credentials?:
      | { type: "https"; username: string }
      | { type: "ssh" }
      | { type: "githubApp"; appId: number; installationId: number };
    sso: { enabled: boolean; issuer?: string; clientId?: string; allowedGroups?: string[] };
    /**
     * GitHub App Argo CD notifications use to set the commit status mlops/<env>/<model> on the
     * GitOps repo after each model sync (success, failure); its private key is the secret
     * `gitopsNotificationsPrivateKey`. `models promote` waits for these statuses.
     */
    notifications?: { appId: number; installationId: number };
  };
  canary: CanaryThresholds;
  /** OIDC client secret for Argo CD SSO (secret config); only when gitops.sso.enabled. */
  argocdOidcClientSecret?: string;
  /** GitOps repo secret (secret config): HTTPS token, SSH private key or GitHub App private key. */
  gitopsRepoSecret?: string;
  /** GitHub App private key (PEM) for gitops.notifications (secret config). */
  gitopsNotificationsPrivateKey?: string;
  /** Alert receiver secrets (secret config). */
  alertingSlackWebhookUrl?: string;
  alertingPagerdutyRoutingKey?: string;
  alertingWebhookToken?: string;
  alertingEmailPassword?: string;
  /** Stateful resources get `protect: true` (prod). */
  protect: boolean;
}
