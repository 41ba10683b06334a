/**
 * The GCP cloud layer: network -> GKE GPU cluster -> MLflow tracking store
 * (Cloud SQL + GCS + workload identity), after the Google APIs they call. Returns the contract the cluster
 * layer consumes; the database waits for the network only, never the cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CloudLayer } from "../contracts";
import type { PlatformConfig } from "../model";
import { GcpProjectServices } from "./projectServices";
import { GkeGpuCluster, type GkeClusterSettings } from "./gkeCluster";
import { GcpNetwork, type GcpNetworkArgs } from "./network";
import { GcpTrackingStore, type GcpTrackingStoreSettings } from "./trackingStore";

/**
 * What each GCP component gets from the stack's config (the parts that do not
 * come from another component's outputs). The cloud layer builds the
 * components from these and the config check validates exactly these. Pure.
 */
export function gcpLayerSettings(c: PlatformConfig): {
  network: GcpNetworkArgs;
  cluster: GkeClusterSettings;
  tracking: GcpTrackingStoreSettings;
} {
  const { project, region } = c.gcp;
  return {
    network: {
      region,
      nodeCidr: c.network.nodeCidr,
      podCidr: c.network.podCidr,
      serviceCidr: c.network.serviceCidr,
      flowLogs: c.network.flowLogs,
    },
    cluster: {
      project,
      region,
      clusterName: c.namePrefix,
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
    tracking: {
      project,
      region,
      database: c.database,
      artifacts: c.artifacts,
      labels: c.labels,
      accountPrefix: c.namePrefix,
      protect: c.protect,
    },
  };
}

/** Names of the GCP layer's components under the platform named `name`. Pure. */
export function gcpComponentNames(name: string) {
  return {
    apis: `${name}-apis`,
    network: `${name}-network`,
    cluster: `${name}-cluster`,
    tracking: `${name}-tracking`,
  };
}

export function gcpCloudLayer(
  name: string,
  c: PlatformConfig,
  parent: pulumi.Resource,
): CloudLayer {
  const settings = gcpLayerSettings(c);
  const names = gcpComponentNames(name);
  const apis = new GcpProjectServices(names.apis, { project: c.gcp.project }, { parent });
  const network = new GcpNetwork(names.network, { ...settings.network, apis }, { parent });

  const cluster = new GkeGpuCluster(
    names.cluster,
    {
      ...settings.cluster,
      apis,
      network: network.network.id,
      subnetwork: network.subnetwork.id,
      podRangeName: network.podRangeName,
      serviceRangeName: network.serviceRangeName,
    },
    { parent },
  );

  const tracking = new GcpTrackingStore(
    names.tracking,
    {
      ...settings.tracking,
      apis,
      network: network.network.id,
      privateServiceConnection: network.privateServiceConnection,
      workloadIdentityPool: cluster.workloadIdentityPool,
    },
    { parent },
  );

  return { cluster, tracking };
}
