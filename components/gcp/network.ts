import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { regionRequired, validateArgs, type ArgProblem } from "../lib/validation";
import { cidrsOverlap, isCidr } from "../lib/net";

export interface GcpNetworkArgs {
  /** Region of the subnet, router and NAT, e.g. `us-central1`. */
  region: string;
  /** Primary range of the nodes' subnet, e.g. `10.10.0.0/20`. */
  nodeCidr: string;
  /** Secondary range for pod IPs (VPC-native GKE), e.g. `10.20.0.0/14`. */
  podCidr: string;
  /** Secondary range for Service IPs, e.g. `10.24.0.0/20`. */
  serviceCidr: string;
  /**
   * Prefix length of the range reserved for Private Service Access (Cloud SQL's
   * private IP lives there). Defaults to 20.
   * https://cloud.google.com/sql/docs/postgres/configure-private-services-access
   */
  privateServicesPrefixLength?: number;
  /** VPC flow logs on the subnet (prod). Defaults to false. */
  flowLogs?: boolean;
  /**
   * The enabled Google APIs (GcpProjectServices). Every resource that does not
   * already wait for another one of the platform's resources waits for them.
   */
  apis?: pulumi.Resource;
}

/** Secondary range names GKE's `ipAllocationPolicy` refers to. */
export const POD_RANGE_NAME = "pods";
export const SERVICE_RANGE_NAME = "services";

/** Reasons the args can't build a network; empty when they can. */
export function gcpNetworkProblems(args: GcpNetworkArgs): ArgProblem[] {
  const problems: ArgProblem[] = [];
  const ranges: [keyof GcpNetworkArgs, string][] = [
    ["nodeCidr", args.nodeCidr],
    ["podCidr", args.podCidr],
    ["serviceCidr", args.serviceCidr],
  ];
  for (const [key, value] of ranges) {
    if (!isCidr(value))
      problems.push({
        propertyPath: key,
        reason: `"${value}" is not a CIDR: write it as a.b.c.d/n, e.g. 10.10.0.0/20.`,
      });
  }
  if (problems.length === 0) {
    for (let i = 0; i < ranges.length; i++)
      for (let j = i + 1; j < ranges.length; j++)
        if (cidrsOverlap(ranges[i][1], ranges[j][1]))
          problems.push({
            propertyPath: ranges[j][0],
            reason: `${ranges[j][1]} overlaps ${ranges[i][0]} (${ranges[i][1]}): pick ranges that do not overlap.`,
          });
  }
  const prefix = args.privateServicesPrefixLength ?? 20;
  if (prefix < 8 || prefix > 24) {
    problems.push({
      propertyPath: "privateServicesPrefixLength",
      reason: `${prefix} must be between 8 and 24 (Google's limits).`,
    });
  }
  if (!args.region) problems.push(regionRequired("gcp", "us-central1"));
  return problems;
}

/**
 * A custom-mode VPC for a private GKE cluster and private Cloud SQL: one subnet
 * with pod/service secondary ranges and Private Google Access, Cloud Router +
 * Cloud NAT so private nodes can pull images, and Private Service Access (a
 * reserved range peered with Google's service network) for Cloud SQL.
 */
export class GcpNetwork extends pulumi.ComponentResource {
  public readonly network: gcp.compute.Network;
  public readonly subnetwork: gcp.compute.Subnetwork;
  public readonly router: gcp.compute.Router;
  public readonly nat: gcp.compute.RouterNat;
  /** The peering Cloud SQL's private IP needs. Depend on it, not on the whole network. */
  public readonly privateServiceConnection: gcp.servicenetworking.Connection;
  public readonly podRangeName = POD_RANGE_NAME;
  public readonly serviceRangeName = SERVICE_RANGE_NAME;

  constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:network:GcpNetwork", name, {}, opts);
    validateArgs("mlops:network:GcpNetwork", name, gcpNetworkProblems(args));
    const flowLogs = args.flowLogs ?? false;
    const privateServicesPrefixLength = args.privateServicesPrefixLength ?? 20;

    this.network = new gcp.compute.Network(
      `${name}-vpc`,
      {
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
        description: "MLOps platform VPC (managed by Pulumi)",
      },
      { parent: this, dependsOn: args.apis ? [args.apis] : [] },
    );

    this.subnetwork = new gcp.compute.Subnetwork(
      `${name}-nodes`,
      {
        region: args.region,
        network: this.network.id,
        ipCidrRange: args.nodeCidr,
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: POD_RANGE_NAME, ipCidrRange: args.podCidr },
          { rangeName: SERVICE_RANGE_NAME, ipCidrRange: args.serviceCidr },
        ],
        logConfig: flowLogs
          ? {
              aggregationInterval: "INTERVAL_5_SEC",
              flowSampling: 0.5,
              metadata: "INCLUDE_ALL_METADATA",
            }
          : undefined,
      },
      { parent: this },
    );

    this.router = new gcp.compute.Router(
      `${name}-router`,
      { region: args.region, network: this.network.id },
      { parent: this },
    );

    this.nat = new gcp.compute.RouterNat(
      `${name}-nat`,
      {
        router: this.router.name,
        region: args.region,
        natIpAllocateOption: "AUTO_ONLY",
        sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        logConfig: { enable: true, filter: "ERRORS_ONLY" },
      },
      { parent: this },
    );

    const psaRange = new gcp.compute.GlobalAddress(
      `${name}-psa`,
      {
        network: this.network.id,
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        prefixLength: privateServicesPrefixLength,
        description: "Private Service Access range for Cloud SQL",
      },
      { parent: this },
    );

    this.privateServiceConnection = new gcp.servicenetworking.Connection(
      `${name}-psa`,
      {
        network: this.network.id,
        service: "servicenetworking.googleapis.com",
        reservedPeeringRanges: [psaRange.name],
        // TPG google_service_networking_connection deletion_policy: the connection cannot be
        // removed while Cloud SQL still uses the peering (a destroy deletes both at once), so
        // it is abandoned; the peering goes with the VPC (README "Destroy").
        deletionPolicy: "ABANDON",
      },
      { parent: this },
    );

    this.registerOutputs({
      networkId: this.network.id,
      subnetworkId: this.subnetwork.id,
      privateServiceConnection: this.privateServiceConnection.id,
    });
  }
}
