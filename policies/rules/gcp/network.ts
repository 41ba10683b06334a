/** VPC networks and subnetworks: custom mode, Private Google Access, flow logs where required. */
import { gcpCis } from "../../lib/frameworks";
import { resourceRule, type Rule } from "../../lib/rule";
import { GCP_NETWORK, GCP_SUBNETWORK } from "../types";

/** Subnet purposes that carry no VM traffic: no flow logs, no Private Google Access to set. */
const PROXY_PURPOSES = [
  "REGIONAL_MANAGED_PROXY",
  "GLOBAL_MANAGED_PROXY",
  "INTERNAL_HTTPS_LOAD_BALANCER",
  "PRIVATE_SERVICE_CONNECT",
];

export const gcpNetworkRules: Rule[] = [
  resourceRule<{ requireFlowLogs: boolean }>({
    name: "gcp-vpc-subnetworks",
    covers: [
      "CKV_GCP_74",
      "AVD-GCP-0075",
      "CKV_GCP_26",
      "AVD-GCP-0029",
      "AVD-GCP-0076",
      "CKV_GCP_76",
    ],
    description:
      "Subnetworks must turn on Private Google Access (private nodes reach Google APIs without external IPs; for IPv6 too on dual-stack subnets), and log VPC flows where the stack requires it (prod), as aws-vpc-flow-logs does on AWS.",
    severity: "medium",
    types: [GCP_SUBNETWORK],
    tags: ["gcp", "network", "logging"],
    framework: gcpCis(
      "3.8",
      "Ensure that VPC Flow Logs is enabled for every subnet in a VPC Network",
    ),
    remediationSteps:
      "Set privateIpGoogleAccess = true; set logConfig (aggregationInterval, flowSampling, metadata) where required (network.flowLogs).",
    config: {
      requireFlowLogs: {
        type: "boolean",
        default: false,
        description: "Require logConfig (VPC flow logs) on every subnetwork.",
      },
    },
    check: (p, { config }) => {
      if (PROXY_PURPOSES.includes(String(p.purpose))) return [];
      const out: string[] = [];
      if (p.privateIpGoogleAccess !== true) out.push("privateIpGoogleAccess is not true.");
      // google_compute_subnetwork: private_ipv6_google_access applies to IPV4_IPV6 stacks.
      const ipv6Access = [
        "ENABLE_OUTBOUND_VM_ACCESS_TO_GOOGLE",
        "ENABLE_BIDIRECTIONAL_ACCESS_TO_GOOGLE",
      ];
      if (p.stackType === "IPV4_IPV6" && !ipv6Access.includes(String(p.privateIpv6GoogleAccess)))
        out.push("privateIpv6GoogleAccess is off on a dual-stack subnetwork.");
      if (config.requireFlowLogs && !p.logConfig)
        out.push("logConfig is not set: no VPC flow logs.");
      return out;
    },
  }),
  resourceRule({
    name: "gcp-vpc-custom-mode",
    covers: ["CKV2_GCP_2"],
    description:
      "VPC networks must be custom mode: an auto-mode network (the provider's default) creates a subnetwork with fixed, predictable ranges in every region, which overlap other auto-mode networks and carry none of the platform's settings.",
    severity: "medium",
    types: [GCP_NETWORK],
    tags: ["gcp", "network"],
    framework: gcpCis("3.1", "Ensure that the default network does not exist in a project"),
    remediationSteps:
      "Set autoCreateSubnetworks = false and declare each subnetwork (gcp.compute.Subnetwork) with its ranges.",
    // google_compute_network: auto_create_subnetworks defaults to true.
    check: (p) =>
      p.autoCreateSubnetworks === false
        ? []
        : ["autoCreateSubnetworks is not false: the network is auto mode."],
  }),
];
