/**
 * Environment defaults. A stack file holds only what differs from these.
 * dev is cheap and disposable; staging mirrors prod's safety at smaller size;
 * prod is highly available and protected.
 */
import type { EksAddon } from "../components/cluster/eksVersions";
import type { GpuPoolSpec } from "../components/gpu/catalog";
import type { Cloud, DbSize, Environment } from "./schema";

/** The fully resolved config every component reads. No optional fields. */
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
    /** GKE services' secondary range. */
    serviceCidr: string;
    /** GKE control plane's /28 (private cluster). */
    controlPlaneCidr: string;
    /** AWS VPC (/16 to /20): three private and three public subnets are cut from it. */
    vpcCidr: string;
    /** AWS NAT: one gateway (`single`) or one per zone (`perZone`, required in prod). */
    natGateways: "single" | "perZone";
  };
  cluster: {
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    kubernetesVersion: string;
    /** Networks allowed to reach the Kubernetes API. Never 0.0.0.0/0. */
    authorizedNetworks: { name: string; cidr: string }[];
    /** Turn off the public API endpoint entirely (then `pulumi up` must run inside the VPC). */
    privateEndpoint: boolean;
    systemPool: { machineType?: string; minNodes: number; maxNodes: number };
    /** AWS: IAM role/user ARNs given cluster-admin through EKS access entries (the deployer is added automatically). */
    adminPrincipals: string[];
    /** AWS: overrides of the pinned EKS managed add-on versions. */
    addonVersions: Partial<Record<EksAddon, string>>;
  };
  gpuPools: GpuPoolSpec[];
  database: {
    size: DbSize;
    postgresVersion: number;
    highAvailability: boolean;
    backupRetentionDays: number;
    pitrRetentionDays: number;
    diskSizeGb: number;
    deletionProtection: boolean;
  };
  artifacts: {
    /** Noncurrent versions kept per object; older ones are deleted. */
    keepVersions: number;
    /** Allow deleting a non-empty bucket. dev only. */
    forceDestroy: boolean;
  };
  mlflow: {
    /** Pinned image with mlflow, psycopg2 and the GCS/S3 clients. */
    image: string;
    replicas: number;
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
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
    sso: { enabled: boolean; issuer?: string; clientId?: string; allowedGroups?: string[] };
  };
  canary: { minSuccessRate: number; maxP95LatencySeconds: number; minModelQuality: number };
  /** OIDC client secret for Argo CD SSO (secret config); only when gitops.sso.enabled. */
  argocdOidcClientSecret?: string;
  /** Stateful resources get `protect: true` (prod). */
  protect: boolean;
}

/** The parts of {@link PlatformConfig} that have environment defaults. */
export type EnvDefaults = Omit<
  PlatformConfig,
  "cloud" | "environment" | "namePrefix" | "gcp" | "aws"
>;

const network = {
  nodeCidr: "10.10.0.0/20",
  podCidr: "10.20.0.0/14",
  serviceCidr: "10.24.0.0/20",
  controlPlaneCidr: "172.16.0.0/28",
  vpcCidr: "10.0.0.0/16",
  natGateways: "single" as const,
};

const MLFLOW_IMAGE = "burakince/mlflow:3.15.1";
const gitops = {
  repoUrl: "https://github.com/your-org/ml-deployments.git",
  path: "apps",
  modelsPath: "models",
  sso: { enabled: false },
};
const canary = { minSuccessRate: 0.99, maxP95LatencySeconds: 0.5, minModelQuality: 0.9 };

const baseLabels = {
  platform: "mlops",
  "managed-by": "pulumi",
  team: "ml-platform",
  "cost-center": "ml",
};

export const ENV_DEFAULTS: Record<Environment, EnvDefaults> = {
  dev: {
    labels: { ...baseLabels, environment: "dev" },
    network,
    cluster: {
      releaseChannel: "REGULAR",
      kubernetesVersion: "1.33",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 1, maxNodes: 3 },
      adminPrincipals: [],
      addonVersions: {},
    },
    gpuPools: [
      {
        name: "l4",
        gpu: "l4",
        gpusPerNode: 1,
        minNodes: 0,
        maxNodes: 2,
        spot: true,
        driverVersion: "DEFAULT",
      },
    ],
    database: {
      size: "small",
      postgresVersion: 16,
      highAvailability: false,
      backupRetentionDays: 7,
      pitrRetentionDays: 3,
      diskSizeGb: 20,
      deletionProtection: false,
    },
    artifacts: { keepVersions: 10, forceDestroy: true },
    mlflow: {
      image: MLFLOW_IMAGE,
      replicas: 1,
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    },
    gitops: { ...gitops, targetRevision: "main" },
    canary,
    protect: false,
  },
  staging: {
    labels: { ...baseLabels, environment: "staging" },
    network,
    cluster: {
      releaseChannel: "REGULAR",
      kubernetesVersion: "1.33",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 1, maxNodes: 4 },
      adminPrincipals: [],
      addonVersions: {},
    },
    gpuPools: [
      {
        name: "l4",
        gpu: "l4",
        gpusPerNode: 1,
        minNodes: 0,
        maxNodes: 4,
        spot: true,
        driverVersion: "DEFAULT",
      },
    ],
    database: {
      size: "medium",
      postgresVersion: 16,
      highAvailability: false,
      backupRetentionDays: 14,
      pitrRetentionDays: 7,
      diskSizeGb: 50,
      deletionProtection: true,
    },
    artifacts: { keepVersions: 10, forceDestroy: false },
    mlflow: {
      image: MLFLOW_IMAGE,
      replicas: 1,
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { cpu: "1", memory: "2Gi" },
    },
    gitops: { ...gitops, targetRevision: "v0.1.0" },
    canary,
    protect: false,
  },
  prod: {
    labels: { ...baseLabels, environment: "prod" },
    network: { ...network, natGateways: "perZone" },
    cluster: {
      releaseChannel: "STABLE",
      kubernetesVersion: "1.33",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 2, maxNodes: 6 },
      adminPrincipals: [],
      addonVersions: {},
    },
    gpuPools: [
      {
        name: "l4",
        gpu: "l4",
        gpusPerNode: 1,
        minNodes: 1,
        maxNodes: 8,
        spot: false,
        driverVersion: "DEFAULT",
      },
    ],
    database: {
      size: "large",
      postgresVersion: 16,
      highAvailability: true,
      backupRetentionDays: 30,
      pitrRetentionDays: 7,
      diskSizeGb: 100,
      deletionProtection: true,
    },
    artifacts: { keepVersions: 10, forceDestroy: false },
    mlflow: {
      image: MLFLOW_IMAGE,
      replicas: 2,
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    },
    gitops: { ...gitops, targetRevision: "v0.1.0" },
    canary,
    protect: true,
  },
};
