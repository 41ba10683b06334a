/**
 * The offline config check for cloud gcp: the GCP components' own validation
 * (gkeClusterProblems, gcpNetworkProblems, gcpTrackingStoreProblems) run on
 * the settings the cloud layer would pass them, each problem reported under
 * the config key the user edits. Only rules that span two components live here.
 */
import { PROJECT, type PlatformConfig } from "../model";
import { cidrsOverlap, isCidr } from "../lib/net";
import { toConfigProblems, uniqueProblems, type ConfigProblem } from "../lib/validation";
import { gcpComponentNames, gcpLayerSettings } from "./cloudLayer";
import { gkeClusterProblems, gkeNodePoolNameProblems } from "./gkeCluster";
import { gcpNetworkProblems } from "./network";
import { gcpTrackingStoreProblems } from "./trackingStore";

const k = (path: string) => `${PROJECT}:${path}`;

/** Component arg -> config key, per component (see gcpLayerSettings). */
export const GCP_CONFIG_KEYS = {
  network: {
    region: "gcp:region",
    nodeCidr: k("network.nodeCidr"),
    podCidr: k("network.podCidr"),
    serviceCidr: k("network.serviceCidr"),
    flowLogs: k("network.flowLogs"),
  },
  cluster: {
    project: "gcp:project",
    region: "gcp:region",
    clusterName: k("namePrefix"),
    controlPlaneCidr: k("network.controlPlaneCidr"),
    authorizedNetworks: k("cluster.authorizedNetworks"),
    privateEndpoint: k("cluster.privateEndpoint"),
    releaseChannel: k("cluster.releaseChannel"),
    systemPool: k("cluster.systemPool"),
    gpuPools: k("gpuPools"),
    labels: k("labels"),
    deletionProtection: k("cluster.deletionProtection"),
  },
  tracking: {
    project: "gcp:project",
    region: "gcp:region",
    database: k("database"),
    artifacts: k("artifacts"),
    labels: k("labels"),
    accountPrefix: k("namePrefix"),
  },
};

export function gcpConfigProblems(c: PlatformConfig): ConfigProblem[] {
  const s = gcpLayerSettings(c);
  const problems = [
    ...toConfigProblems("GcpNetwork", gcpNetworkProblems(s.network), GCP_CONFIG_KEYS.network),
    ...toConfigProblems("GkeGpuCluster", gkeClusterProblems(s.cluster), GCP_CONFIG_KEYS.cluster),
    // The platform is named after namePrefix (stacks/index.ts), so its cluster component is too.
    ...toConfigProblems(
      "GkeGpuCluster",
      gkeNodePoolNameProblems(gcpComponentNames(c.namePrefix).cluster, s.cluster.gpuPools),
      GCP_CONFIG_KEYS.cluster,
    ),
    ...toConfigProblems(
      "GcpTrackingStore",
      gcpTrackingStoreProblems(s.tracking),
      GCP_CONFIG_KEYS.tracking,
    ),
  ];
  // The control plane's /28 (a cluster arg) must not overlap the network's ranges (network args).
  const cp = c.network.controlPlaneCidr;
  for (const range of ["nodeCidr", "podCidr", "serviceCidr"] as const) {
    const other = c.network[range];
    if (isCidr(cp) && isCidr(other) && cidrsOverlap(cp, other))
      problems.push({
        key: k("network.controlPlaneCidr"),
        reason: `${cp} overlaps network.${range} (${other}): pick ranges that do not overlap.`,
      });
  }
  return uniqueProblems(problems);
}
