/**
 * The offline config check for cloud aws: the AWS components' own validation
 * (awsNetworkProblems, eksClusterProblems, awsTrackingStoreProblems) run on
 * the settings the cloud layer would pass them, each problem reported under
 * the config key the user edits. Only rules that span two components or
 * depend on the environment live here.
 */
import { PROJECT, type PlatformConfig } from "../model";
import { cidrsOverlap, isCidr } from "../lib/net";
import { toConfigProblems, uniqueProblems, type ConfigProblem } from "../lib/validation";
import { awsLayerSettings } from "./cloudLayer";
import { eksClusterProblems } from "./eks/cluster";
import { awsNetworkProblems } from "./network";
import { awsTrackingStoreProblems } from "./trackingStore";

const k = (path: string) => `${PROJECT}:${path}`;

/** Component arg -> config key, per component (see awsLayerSettings). */
export const AWS_CONFIG_KEYS = {
  network: {
    region: "aws:region",
    vpcCidr: k("network.vpcCidr"),
    natGateways: k("network.natGateways"),
    flowLogs: k("network.flowLogs"),
    tags: k("labels"),
    namePrefix: k("namePrefix"),
  },
  cluster: {
    clusterName: k("namePrefix"),
    region: "aws:region",
    kubernetesVersion: k("cluster.kubernetesVersion"),
    serviceCidr: k("network.serviceCidr"),
    authorizedNetworks: k("cluster.authorizedNetworks"),
    privateEndpoint: k("cluster.privateEndpoint"),
    adminPrincipals: k("cluster.adminPrincipals"),
    deployerPrincipal: k("cluster.deployerPrincipal"),
    viewerPrincipals: k("cluster.viewerPrincipals"),
    systemPool: k("cluster.systemPool"),
    gpuPools: k("gpuPools"),
    addonVersions: k("cluster.addonVersions"),
    tags: k("labels"),
    deletionProtection: k("cluster.deletionProtection"),
    logRetentionDays: k("cluster.logRetentionDays"),
    retainLogs: k("cluster.retainLogs"),
    adoptLogGroup: k("cluster.adoptLogGroup"),
  },
  tracking: {
    region: "aws:region",
    database: k("database"),
    artifacts: k("artifacts"),
    namePrefix: k("namePrefix"),
    tags: k("labels"),
  },
};

export function awsConfigProblems(c: PlatformConfig): ConfigProblem[] {
  const s = awsLayerSettings(c);
  const problems = [
    ...toConfigProblems("AwsNetwork", awsNetworkProblems(s.network), AWS_CONFIG_KEYS.network),
    ...toConfigProblems("EksGpuCluster", eksClusterProblems(s.cluster), AWS_CONFIG_KEYS.cluster),
    ...toConfigProblems(
      "AwsTrackingStore",
      awsTrackingStoreProblems(s.tracking),
      AWS_CONFIG_KEYS.tracking,
    ),
  ];
  // Services get IPs from serviceCidr (a cluster arg), which must lie outside the VPC (a network arg).
  const { vpcCidr, serviceCidr } = c.network;
  if (isCidr(vpcCidr) && isCidr(serviceCidr) && cidrsOverlap(vpcCidr, serviceCidr))
    problems.push({
      key: k("network.serviceCidr"),
      reason: `${serviceCidr} overlaps network.vpcCidr (${vpcCidr}): Kubernetes Services need a range outside the VPC.`,
    });
  if (c.environment === "prod" && c.network.natGateways !== "perZone")
    problems.push({
      key: k("network.natGateways"),
      reason:
        "must be perZone in prod, so losing one availability zone does not cut every node's egress: remove the override.",
    });
  return uniqueProblems(problems);
}
