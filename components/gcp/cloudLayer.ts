/**
 * The GCP cloud layer: network -> GKE GPU cluster -> MLflow tracking store
 * (Cloud SQL + GCS + workload identity). Returns the contract the cluster
 * layer consumes; the database waits for the network only, never the cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CloudLayer } from "../contracts";
import type { PlatformConfig } from "../model";
import { GkeGpuCluster } from "./gkeCluster";
import { GcpNetwork } from "./network";
import { GcpTrackingStore } from "./trackingStore";

export function gcpCloudLayer(
  name: string,
  c: PlatformConfig,
  parent: pulumi.Resource,
): CloudLayer {
  const { project, region } = c.gcp;
  const network = new GcpNetwork(
    `${name}-network`,
    {
      region,
      nodeCidr: c.network.nodeCidr,
      podCidr: c.network.podCidr,
      serviceCidr: c.network.serviceCidr,
      flowLogs: c.network.flowLogs,
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
      deletionProtection: c.cluster.deletionProtection,
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
