/**
 * The AWS cloud layer: VPC -> EKS GPU cluster -> MLflow tracking store
 * (RDS + S3 + IRSA). Returns the contract the cluster layer consumes; the
 * database and bucket wait for the network only, never the cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CloudLayer } from "../contracts";
import type { PlatformConfig } from "../model";
import { EksGpuCluster, type EksClusterSettings } from "./eks/cluster";
import { CodeBuildRunner } from "./ciRunner";
import { AwsNetwork, type AwsNetworkArgs } from "./network";
import { AwsTrackingStore, type AwsTrackingStoreSettings } from "./trackingStore";

/**
 * What each AWS component gets from the stack's config (the parts that do not
 * come from another component's outputs). The cloud layer builds the
 * components from these and the config check validates exactly these. Pure.
 */
export function awsLayerSettings(c: PlatformConfig): {
  network: AwsNetworkArgs;
  cluster: EksClusterSettings;
  tracking: AwsTrackingStoreSettings;
} {
  const { region } = c.aws;
  return {
    network: {
      region,
      vpcCidr: c.network.vpcCidr,
      natGateways: c.network.natGateways,
      flowLogs: c.network.flowLogs,
      tags: c.labels,
      namePrefix: c.namePrefix,
    },
    cluster: {
      clusterName: c.namePrefix,
      region,
      kubernetesVersion: c.cluster.kubernetesVersion,
      serviceCidr: c.network.serviceCidr,
      authorizedNetworks: c.cluster.authorizedNetworks,
      privateEndpoint: c.cluster.privateEndpoint,
      adminPrincipals: c.cluster.adminPrincipals,
      deployerPrincipal: c.cluster.deployerPrincipal,
      viewerPrincipals: c.cluster.viewerPrincipals,
      systemPool: c.cluster.systemPool,
      gpuPools: c.gpuPools,
      addonVersions: c.cluster.addonVersions,
      tags: c.labels,
      deletionProtection: c.cluster.deletionProtection,
      protect: c.protect,
      logRetentionDays: c.cluster.logRetentionDays,
      retainLogs: c.cluster.retainLogs,
      adoptLogGroup: c.cluster.adoptLogGroup,
    },
    tracking: {
      region,
      database: c.database,
      artifacts: c.artifacts,
      namePrefix: c.namePrefix,
      tags: c.labels,
      protect: c.protect,
    },
  };
}

export function awsCloudLayer(
  name: string,
  c: PlatformConfig,
  parent: pulumi.Resource,
): CloudLayer {
  const settings = awsLayerSettings(c);
  const network = new AwsNetwork(`${name}-network`, settings.network, { parent });

  const cluster = new EksGpuCluster(
    `${name}-cluster`,
    {
      ...settings.cluster,
      privateSubnetIds: network.privateSubnetIds,
      privateSubnetZones: network.privateSubnetZones,
      nodeSecurityGroupId: network.nodeSecurityGroup.id,
    },
    { parent },
  );

  const tracking = new AwsTrackingStore(
    `${name}-tracking`,
    {
      ...settings.tracking,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      nodeSecurityGroupId: network.nodeSecurityGroup.id,
      // Only the MLflow IAM role waits for these; the database and bucket do not wait for the cluster.
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
    },
    { parent },
  );

  const ciRunner = c.cluster.ciRunner
    ? new CodeBuildRunner(
        `${name}-ci-runner`,
        {
          ...c.cluster.ciRunner,
          projectName: `${c.namePrefix}-ci-runner`,
          vpcId: network.vpcId,
          privateSubnetIds: network.privateSubnetIds,
          clusterSecurityGroupId: cluster.cluster.vpcConfig.clusterSecurityGroupId,
          logRetentionDays: c.cluster.logRetentionDays,
          tags: c.labels,
        },
        { parent },
      )
    : undefined;

  return { cluster, tracking, ciRunner: ciRunner?.projectName };
}
