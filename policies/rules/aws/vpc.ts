/** VPC: flow logs, subnets that hand out public IPs, default routes, unused groups and addresses. */
import { awsCis } from "../../lib/frameworks";
import { asArray, cis, resourceRule, stackRule, takesInputFrom, type Rule } from "../../lib/rule";
import {
  DEFAULT_SECURITY_GROUP,
  EIP,
  ROUTE,
  ROUTE_TABLE,
  SECURITY_GROUP,
  SUBNET,
  VPC,
  VPC_FLOW_LOG,
} from "../types";

/** Resources that only add rules to a security group: they do not attach it to anything. */
const SG_RULE_TYPES = [
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
];

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
      const logs = resources.filter((r) => r.type === VPC_FLOW_LOG);
      return resources
        .filter((r) => r.type === VPC && !logs.some((l) => takesInputFrom(l, r, "vpcId")))
        .map((r) => ({ message: `VPC ${r.name} has no flow log.`, urn: r.urn }));
    },
  }),
  resourceRule({
    name: "aws-vpc-default-route-nat-gateway",
    covers: ["CKV2_AWS_35"],
    description:
      "A default route (0.0.0.0/0) must not go through an EC2 instance (a NAT instance): a single unmanaged host carries every private subnet's egress; use a NAT gateway or an internet gateway.",
    severity: "medium",
    types: [ROUTE, ROUTE_TABLE],
    tags: ["aws", "vpc", "network", "reliability"],
    framework: cis(
      "checkov",
      "3",
      "CKV2_AWS_35",
      "AWS NAT Gateways should be utilized for the default route",
    ),
    remediationSteps: "Point the 0.0.0.0/0 route at natGatewayId (private subnets) or gatewayId.",
    check: (p, { type }) => {
      const routes = type === ROUTE ? [p] : asArray<Record<string, any>>(p.routes);
      return routes
        .filter((r) => (r.destinationCidrBlock ?? r.cidrBlock) === "0.0.0.0/0")
        .filter((r) => r.instanceId || (r.networkInterfaceId && !r.natGatewayId))
        .map(() => "the default route goes through an instance, not a NAT gateway.");
    },
  }),
  stackRule({
    name: "aws-vpc-no-unattached",
    covers: ["CKV2_AWS_5", "CKV2_AWS_19"],
    description:
      "Every security group the stack creates must be attached to something (an instance, launch template, database, cluster, build project, endpoint), and every VPC Elastic IP must serve an instance or a NAT gateway: an unused group waits to be attached wrongly, an idle address bills by the hour.",
    severity: "low",
    types: [SECURITY_GROUP, EIP],
    tags: ["aws", "vpc", "network", "cost"],
    remediationSteps:
      "Reference the group from the resource it protects (vpcSecurityGroupIds, securityGroupIds), or delete it; give the Elastic IP to a NAT gateway (allocationId), an instance or an EipAssociation, or release it.",
    check: (resources) => {
      const out: { message: string; urn: string }[] = [];
      for (const sg of resources.filter((r) => r.type === SECURITY_GROUP))
        if (
          !resources.some(
            (r) => !SG_RULE_TYPES.includes(r.type) && r !== sg && takesInputFrom(r, sg),
          )
        )
          out.push({ message: `security group ${sg.name} is attached to nothing.`, urn: sg.urn });
      for (const eip of resources.filter((r) => r.type === EIP)) {
        if (eip.props.domain !== "vpc" && eip.props.vpc !== true) continue;
        if (eip.props.instance || eip.props.networkInterface) continue;
        if (!resources.some((r) => r !== eip && takesInputFrom(r, eip)))
          out.push({ message: `Elastic IP ${eip.name} is attached to nothing.`, urn: eip.urn });
      }
      return out;
    },
  }),
  stackRule({
    name: "aws-vpc-default-sg-managed",
    covers: ["CKV2_AWS_12"],
    description:
      "Every VPC the stack creates must have its default security group managed by the stack (aws.ec2.DefaultSecurityGroup, which aws-ec2-default-sg-closed keeps empty) with no separate rule resource added to it: otherwise the default group admits all traffic between its members and all egress.",
    severity: "medium",
    types: [VPC, DEFAULT_SECURITY_GROUP, ...SG_RULE_TYPES],
    tags: ["aws", "vpc", "network", "security"],
    framework: awsCis(
      "5.4",
      "Ensure the default security group of every VPC restricts all traffic",
    ),
    remediationSteps:
      "Add aws.ec2.DefaultSecurityGroup with vpcId set to the VPC and no ingress or egress.",
    check: (resources) =>
      resources
        .filter((r) => r.type === VPC)
        .flatMap((vpc) => {
          const managed = resources.filter(
            (r) => r.type === DEFAULT_SECURITY_GROUP && takesInputFrom(r, vpc),
          );
          if (managed.length === 0)
            return [
              {
                message: `VPC ${vpc.name} leaves its default security group to AWS's defaults.`,
                urn: vpc.urn,
              },
            ];
          // A separate rule resource opens the managed default group again.
          return resources
            .filter(
              (r) => SG_RULE_TYPES.includes(r.type) && managed.some((g) => takesInputFrom(r, g)),
            )
            .map((r) => ({
              message: `VPC ${vpc.name}: ${r.name} adds a rule to the default security group.`,
              urn: vpc.urn,
            }));
        }),
  }),
];
