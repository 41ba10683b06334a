import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../stacks/defaults";
import { EksGpuCluster } from "./cluster/eksGpuCluster";
import { GkeGpuCluster } from "./cluster/gkeGpuCluster";
import { ClusterLayer } from "./clusterLayer";
import type { ClusterOutputs, TrackingStoreOutputs } from "./contracts";
import { AwsNetwork } from "./network/awsNetwork";
import { GcpNetwork } from "./network/gcpNetwork";
import { AwsTrackingStore } from "./tracking/awsTrackingStore";
import { GcpTrackingStore } from "./tracking/gcpTrackingStore";

export interface MlopsPlatformArgs {
  /** The validated stack config (stacks/config.ts). */
  config: PlatformConfig;
}

/** The cloud layer's result, the same shape on every cloud. */
export interface CloudLayer {
  cluster: ClusterOutputs;
  tracking: TrackingStoreOutputs;
}

/**
 * The whole platform for one environment. Picks the cloud implementation from
 * `config.cloud` and wires the cloud layer (network -> GPU cluster -> MLflow
 * tracking store; the database waits for the network only, never for the
 * cluster) to the cloud-neutral cluster layer (MLflow server, Argo CD, Argo
 * Rollouts, Prometheus, GPU add-ons).
 */
export class MlopsPlatform extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly artifactBucket: pulumi.Output<string>;
  public readonly databaseConnectionName: pulumi.Output<string>;
  public readonly mlflowUrl: pulumi.Output<string>;
  public readonly argocdNamespace: string;
  public readonly cloud: CloudLayer;

  constructor(name: string, args: MlopsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:index:MlopsPlatform", name, {}, opts);
    const c = args.config;

    switch (c.cloud) {
      case "gcp":
        this.cloud = gcpCloudLayer(name, c, this);
        break;
      case "aws":
        this.cloud = awsCloudLayer(name, c, this);
        break;
    }

    const services = new ClusterLayer(
      `${name}-services`,
      {
        environment: c.environment,
        cluster: this.cloud.cluster,
        tracking: this.cloud.tracking,
        mlflow: c.mlflow,
        gitops: c.gitops,
        oidcClientSecret: c.argocdOidcClientSecret
          ? pulumi.secret(c.argocdOidcClientSecret)
          : undefined,
        canary: c.canary,
      },
      { parent: this },
    );

    this.mlflowUrl = services.mlflowUrl;
    this.argocdNamespace = services.argocdNamespace;
    this.clusterName = this.cloud.cluster.name;
    this.kubeconfig = this.cloud.cluster.kubeconfig;
    this.artifactBucket = this.cloud.tracking.bucketName;
    this.databaseConnectionName = this.cloud.tracking.connectionName;
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      artifactBucket: this.artifactBucket,
      databaseConnectionName: this.databaseConnectionName,
      mlflowUrl: this.mlflowUrl,
      argocdNamespace: this.argocdNamespace,
    });
  }
}

function gcpCloudLayer(name: string, c: PlatformConfig, parent: pulumi.Resource): CloudLayer {
  const { project, region } = c.gcp;
  const network = new GcpNetwork(
    `${name}-network`,
    {
      region,
      nodeCidr: c.network.nodeCidr,
      podCidr: c.network.podCidr,
      serviceCidr: c.network.serviceCidr,
      flowLogs: c.environment === "prod",
    },
    { parent },
  );

  const cluster = new GkeGpuCluster(
    `${name}-cluster`,
    {
      project,
      region,
      clusterName: c.namePrefix,
      network: network.network.id,
      subnetwork: network.subnetwork.id,
      podRangeName: network.podRangeName,
      serviceRangeName: network.serviceRangeName,
      controlPlaneCidr: c.network.controlPlaneCidr,
      authorizedNetworks: c.cluster.authorizedNetworks,
      privateEndpoint: c.cluster.privateEndpoint,
      releaseChannel: c.cluster.releaseChannel,
      systemPool: c.cluster.systemPool,
      gpuPools: c.gpuPools,
      labels: c.labels,
      deletionProtection: c.environment !== "dev",
      protect: c.protect,
    },
    { parent },
  );

  const tracking = new GcpTrackingStore(
    `${name}-tracking`,
    {
      project,
      region,
      network: network.network.id,
      privateServiceConnection: network.privateServiceConnection,
      database: c.database,
      artifacts: c.artifacts,
      labels: c.labels,
      workloadIdentityPool: cluster.workloadIdentityPool,
      accountPrefix: c.namePrefix,
      protect: c.protect,
    },
    { parent },
  );

  return { cluster, tracking };
}

function awsCloudLayer(name: string, c: PlatformConfig, parent: pulumi.Resource): CloudLayer {
  const { region } = c.aws;
  const prod = c.environment === "prod";
  const network = new AwsNetwork(
    `${name}-network`,
    {
      region,
      vpcCidr: c.network.vpcCidr,
      natGateways: c.network.natGateways,
      flowLogs: prod,
      tags: c.labels,
      namePrefix: c.namePrefix,
    },
    { parent },
  );

  const cluster = new EksGpuCluster(
    `${name}-cluster`,
    {
      clusterName: c.namePrefix,
      region,
      kubernetesVersion: c.cluster.kubernetesVersion,
      privateSubnetIds: network.privateSubnetIds,
      privateSubnetZones: network.privateSubnetZones,
      nodeSecurityGroupId: network.nodeSecurityGroup.id,
      serviceCidr: c.network.serviceCidr,
      authorizedNetworks: c.cluster.authorizedNetworks,
      privateEndpoint: c.cluster.privateEndpoint,
      adminPrincipals: c.cluster.adminPrincipals,
      systemPool: c.cluster.systemPool,
      gpuPools: c.gpuPools,
      addonVersions: c.cluster.addonVersions,
      tags: c.labels,
      deletionProtection: c.environment !== "dev",
      protect: c.protect,
      logRetentionDays: prod ? 365 : 90,
    },
    { parent },
  );

  const tracking = new AwsTrackingStore(
    `${name}-tracking`,
    {
      region,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      nodeSecurityGroupId: network.nodeSecurityGroup.id,
      database: c.database,
      artifacts: c.artifacts,
      finalSnapshot: c.environment !== "dev",
      namePrefix: c.namePrefix,
      tags: c.labels,
      // Only the MLflow IAM role waits for these; the database and bucket do not wait for the cluster.
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      protect: c.protect,
    },
    { parent },
  );

  return { cluster, tracking };
}
