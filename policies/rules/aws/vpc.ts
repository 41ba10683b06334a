/** VPC: flow logs, subnets that hand out public IPs. */
import { awsCis } from "../../lib/frameworks";
import { resourceRule, stackRule, type Rule } from "../../lib/rule";
import { SUBNET, VPC, VPC_FLOW_LOG } from "../types";

export const vpcRules: Rule[] = [
  resourceRule({
    name: "aws-vpc-subnet-no-auto-public-ip",
    covers: ["CKV_AWS_130", "AVD-AWS-0164"],
    description:
      "Subnets must not give every instance launched in them a public IP (mapPublicIpOnLaunch): the NAT gateway and load balancers carry their own addresses.",
    severity: "medium",
    types: [SUBNET],
    tags: ["aws", "vpc", "network"],
    remediationSteps: "Set mapPublicIpOnLaunch = false (the provider's default).",
    check: (p) => (p.mapPublicIpOnLaunch === true ? ["mapPublicIpOnLaunch is true."] : []),
  }),
  stackRule<{ requireFlowLogs: boolean }>({
    name: "aws-vpc-flow-logs",
    covers: ["CKV2_AWS_11", "AVD-AWS-0178"],
    description: "Where required (prod), every VPC must have flow logs.",
    severity: "medium",
    types: [VPC, VPC_FLOW_LOG],
    tags: ["aws", "network", "logging"],
    framework: awsCis("3.7", "Ensure VPC flow logging is enabled in all VPCs"),
    remediationSteps:
      "Create an aws.ec2.FlowLog for the VPC (the platform does it when the environment is prod).",
    config: {
      requireFlowLogs: {
        type: "boolean",
        default: false,
        description: "Require a flow log on every VPC.",
      },
    },
    check: (resources, config) => {
      if (!config.requireFlowLogs) return [];
      // The flow log's vpcId comes from the VPC resource, so it is a property dependency on it.
      const logged = new Set(
        resources
          .filter((r) => r.type === VPC_FLOW_LOG)
          .flatMap((r) => (r.propertyDependencies?.vpcId ?? []).map((d) => d.urn)),
      );
      return resources
        .filter((r) => r.type === VPC && !logged.has(r.urn))
        .map((r) => ({ message: `VPC ${r.name} has no flow log.`, urn: r.urn }));
    },
  }),
];
