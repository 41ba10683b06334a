/**
 * The AWS cloud layer: VPC -> EKS GPU cluster -> MLflow tracking store
 * (RDS + S3 + IRSA). Returns the contract the cluster layer consumes; the
 * database and bucket wait for the network only, never the cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CloudLayer } from "../contracts";
import type { PlatformConfig } from "../model";
import { EksGpuCluster } from "./eks/cluster";
import { AwsNetwork } from "./network";
import { AwsTrackingStore } from "./trackingStore";

export function awsCloudLayer(
  name: string,
  c: PlatformConfig,
  parent: pulumi.Resource,
): CloudLayer {
  const { region } = c.aws;
  const network = new AwsNetwork(
    `${name}-network`,
    {
      region,
      vpcCidr: c.network.vpcCidr,
      natGateways: c.network.natGateways,
      flowLogs: c.network.flowLogs,
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
      deletionProtection: c.cluster.deletionProtection,
      protect: c.protect,
      logRetentionDays: c.cluster.logRetentionDays,
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
