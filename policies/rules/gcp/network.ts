/** VPC subnetworks: Private Google Access, and flow logs where required. */
import { gcpCis } from "../../lib/frameworks";
import { resourceRule, type Rule } from "../../lib/rule";
import { GCP_SUBNETWORK } from "../types";

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
    covers: ["CKV_GCP_74", "AVD-GCP-0075", "CKV_GCP_26", "AVD-GCP-0029", "AVD-GCP-0076"],
    description:
      "Subnetworks must turn on Private Google Access (private nodes reach Google APIs without external IPs), and log VPC flows where the stack requires it (prod), as aws-vpc-flow-logs does on AWS.",
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
      if (config.requireFlowLogs && !p.logConfig)
        out.push("logConfig is not set: no VPC flow logs.");
      return out;
    },
  }),
];
