/**
 * Environment defaults. A stack file holds only what differs from these.
 * dev is cheap and disposable; staging mirrors prod's safety at smaller size;
 * prod is highly available and protected.
 */
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
    /** AWS VPC. */
    vpcCidr: string;
  };
  cluster: {
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    kubernetesVersion: string;
    /** Networks allowed to reach the Kubernetes API. Never 0.0.0.0/0. */
    authorizedNetworks: { name: string; cidr: string }[];
    /** Turn off the public API endpoint entirely (then `pulumi up` must run inside the VPC). */
    privateEndpoint: boolean;
    systemPool: { machineType?: string; minNodes: number; maxNodes: number };
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
      kubernetesVersion: "1.33",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 1, maxNodes: 3 },
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
    protect: false,
  },
  prod: {
    labels: { ...baseLabels, environment: "prod" },
    network,
    cluster: {
      releaseChannel: "STABLE",
      kubernetesVersion: "1.33",
      authorizedNetworks: [],
      privateEndpoint: false,
      systemPool: { minNodes: 2, maxNodes: 6 },
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
    protect: true,
  },
};
