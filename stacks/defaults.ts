/**
 * Environment defaults. A stack file holds only what differs from these.
 * dev is cheap and disposable; staging mirrors prod's safety at smaller size;
 * prod is highly available and protected.
 */
import { MODELS_DIR } from "../components/lib/gitopsLayout";
import type { Environment, PlatformConfig } from "../components/model";

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
  flowLogs: false,
};

const MLFLOW_IMAGE = "burakince/mlflow:3.15.1";
/** The uid burakince/mlflow runs as (Dockerfile-debian at 3.15.1: `useradd -u 1001 ... mlflow`). */
const MLFLOW_UID = 1001;
/** Training jobs and model servers talk to MLflow. */
const MLFLOW_CLIENTS = ["training", "models"];
const gitops = {
  repoUrl: "https://github.com/your-org/ml-deployments.git",
  path: "apps",
  modelsPath: MODELS_DIR,
  // Release files are immutable pins reviewed in pull requests: models follow the branch.
  modelsRevision: "main",
  sso: { enabled: false },
};
const canary = {
  minSuccessRate: 0.99,
  maxP95LatencySeconds: 0.5,
  maxErrorRateIncrease: 0.01,
  maxLatencyRatio: 1.25,
  maxPredictionShift: 0.1,
  minRequestsPerSecond: 0.5,
};

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
      kubernetesVersion: "1.35",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 1, maxNodes: 3 },
      adminPrincipals: [],
      viewerPrincipals: [],
      addonVersions: {},
      deletionProtection: false,
      logRetentionDays: 90,
      retainLogs: false,
      adoptLogGroup: false,
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
      finalSnapshot: false,
      applyImmediately: false,
    },
    artifacts: { keepVersions: 10, forceDestroy: true },
    mlflow: {
      image: MLFLOW_IMAGE,
      uid: MLFLOW_UID,
      replicas: 1,
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
      clientNamespaces: MLFLOW_CLIENTS,
      hostnames: [],
      auth: false,
    },
    gitops: { ...gitops, targetRevision: "main" },
    alerting: {},
    canary,
    protect: false,
  },
  staging: {
    labels: { ...baseLabels, environment: "staging" },
    network,
    cluster: {
      releaseChannel: "REGULAR",
      kubernetesVersion: "1.35",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 1, maxNodes: 4 },
      adminPrincipals: [],
      viewerPrincipals: [],
      addonVersions: {},
      deletionProtection: true,
      logRetentionDays: 90,
      retainLogs: true,
      adoptLogGroup: false,
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
      finalSnapshot: true,
      applyImmediately: false,
    },
    artifacts: { keepVersions: 10, forceDestroy: false },
    mlflow: {
      image: MLFLOW_IMAGE,
      uid: MLFLOW_UID,
      replicas: 1,
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { cpu: "1", memory: "2Gi" },
      clientNamespaces: MLFLOW_CLIENTS,
      hostnames: [],
      auth: false,
    },
    gitops: { ...gitops, targetRevision: "v0.1.0" },
    alerting: {},
    canary,
    protect: false,
  },
  prod: {
    labels: { ...baseLabels, environment: "prod" },
    network: { ...network, natGateways: "perZone", flowLogs: true },
    cluster: {
      releaseChannel: "STABLE",
      kubernetesVersion: "1.35",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 2, maxNodes: 6 },
      adminPrincipals: [],
      viewerPrincipals: [],
      addonVersions: {},
      deletionProtection: true,
      logRetentionDays: 365,
      retainLogs: true,
      adoptLogGroup: false,
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
      finalSnapshot: true,
      applyImmediately: false,
    },
    artifacts: { keepVersions: 10, forceDestroy: false },
    mlflow: {
      image: MLFLOW_IMAGE,
      uid: MLFLOW_UID,
      replicas: 2,
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "2", memory: "4Gi" },
      clientNamespaces: MLFLOW_CLIENTS,
      hostnames: [],
      auth: true,
    },
    gitops: { ...gitops, targetRevision: "v0.1.0" },
    alerting: {},
    canary,
    protect: true,
  },
};
