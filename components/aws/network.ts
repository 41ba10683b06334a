import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { isCidr, subnetCidr } from "../lib/net";
import { regionRequired, validateArgs, type ArgProblem } from "../lib/validation";

/**
 * Zone IDs where EKS refuses cluster subnets (UnsupportedAvailabilityZoneException; EKS user
 * guide, "Subnet requirements"). IDs, not names: zone names map to different zones per account.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "cac1-az3"];

/** Availability zones the network spans. EKS needs two; three survive the loss of one. */
export const AWS_ZONE_COUNT = 3;

/** Subnet tags the AWS Load Balancer Controller and the in-tree controller use to pick subnets. */
export const PUBLIC_LB_TAG = { "kubernetes.io/role/elb": "1" };
export const INTERNAL_LB_TAG = { "kubernetes.io/role/internal-elb": "1" };

/** Smallest VPC we lay out: its /N+2 private and /N+4 public subnets must still be useful. */
export const MAX_VPC_PREFIX = 20;

export interface AwsNetworkArgs {
  /** Region (for the S3 gateway endpoint's service name), e.g. `us-east-1`. */
  region: string;
  /** The VPC's range. A /16 gives three /18 private subnets (pods take VPC IPs on EKS) and three /20 public ones. */
  vpcCidr: string;
  /** `single`: one NAT gateway for all zones (dev, cheaper); `perZone`: one per zone, so one zone's outage does not cut egress (prod). */
  natGateways: "single" | "perZone";
  /** VPC flow logs (all traffic) to CloudWatch Logs. */
  flowLogs: boolean;
  /** Days flow logs are kept. Defaults to 90. */
  flowLogRetentionDays?: number;
  /** Tags on every resource. `Name` tags are added per resource. */
  tags: Record<string, string>;
  /** Prefix of the `Name` tags, e.g. `mlops-prod`. */
  namePrefix: string;
}

/** The subnet layout of a VPC range: three private /N+2 and three public /N+4 in the last quarter. Pure. */
export function awsSubnetLayout(vpcCidr: string): {
  privateCidrs: string[];
  publicCidrs: string[];
} {
  const bits = Number(vpcCidr.split("/")[1]);
  const zones = [...Array(AWS_ZONE_COUNT).keys()];
  return {
    privateCidrs: zones.map((i) => subnetCidr(vpcCidr, bits + 2, i)),
    // The fourth quarter of the VPC, cut in four: public subnets only hold NAT gateways and load balancers.
    publicCidrs: zones.map((i) => subnetCidr(vpcCidr, bits + 4, 12 + i)),
  };
}

export function awsNetworkProblems(args: AwsNetworkArgs): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (!args.region) problems.push(regionRequired("aws", "us-east-1"));
  if (!isCidr(args.vpcCidr)) {
    problems.push({
      propertyPath: "vpcCidr",
      reason: `"${args.vpcCidr}" is not a CIDR such as 10.0.0.0/16.`,
    });
  } else {
    const bits = Number(args.vpcCidr.split("/")[1]);
    if (bits < 16 || bits > MAX_VPC_PREFIX)
      problems.push({
        propertyPath: "vpcCidr",
        reason: `(${args.vpcCidr}) must be a /16 to /${MAX_VPC_PREFIX} (a VPC is at most a /16; smaller leaves too few pod IPs): e.g. 10.0.0.0/16.`,
      });
  }
  if (args.natGateways !== "single" && args.natGateways !== "perZone")
    problems.push({ propertyPath: "natGateways", reason: "must be single or perZone." });
  return problems;
}

/**
 * The AWS network for one environment: a VPC over three availability zones,
 * a private subnet per zone for nodes, pods and the database, a public subnet
 * per zone for NAT gateways and internet-facing load balancers (tagged for
 * them), NAT egress (one gateway or one per zone), an S3 gateway endpoint so
 * artifact traffic skips NAT, a default security group with no rules, and
 * optionally flow logs. Also a security group that marks the cluster's nodes;
 * the database admits PostgreSQL from it only.
 */
export class AwsNetwork extends pulumi.ComponentResource {
  public readonly vpc: aws.ec2.Vpc;
  public readonly privateSubnets: aws.ec2.Subnet[];
  public readonly publicSubnets: aws.ec2.Subnet[];
  public readonly natGateways: aws.ec2.NatGateway[];
  public readonly privateRouteTables: aws.ec2.RouteTable[];
  /** Attached to every node (by the node groups' launch template); grants nothing by itself. */
  public readonly nodeSecurityGroup: aws.ec2.SecurityGroup;
  public readonly flowLog?: aws.ec2.FlowLog;
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** Zone name of each private subnet, same order as {@link privateSubnetIds}. */
  public readonly privateSubnetZones: pulumi.Output<string>[];

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:network:AwsNetwork", name, {}, opts);
    validateArgs("mlops:network:AwsNetwork", name, awsNetworkProblems(args));
    const tag = (suffix: string, extra: Record<string, string> = {}) => ({
      ...args.tags,
      ...extra,
      Name: `${args.namePrefix}-${suffix}`,
    });
    const layout = awsSubnetLayout(args.vpcCidr);

    // Zones that need no opt-in (skips Local and Wavelength zones) and that EKS supports.
    const zones = aws
      .getAvailabilityZonesOutput(
        {
          state: "available",
          excludeZoneIds: EKS_UNSUPPORTED_ZONE_IDS,
          filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        },
        { parent: this },
      )
      .names.apply((names) => {
        if (names.length < AWS_ZONE_COUNT)
          throw new Error(
            `region ${args.region} offers ${names.length} availability zones; the network needs ${AWS_ZONE_COUNT}: pick another region.`,
          );
        return names.slice(0, AWS_ZONE_COUNT);
      });

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: tag("vpc"),
      },
      { parent: this },
    );

    // CIS AWS 5.4: the default security group restricts all traffic (no rules at all).
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: this.vpc.id, tags: tag("default-deny") },
      { parent: this },
    );

    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: this.vpc.id, tags: tag("igw") },
      { parent: this },
    );

    this.publicSubnets = layout.publicCidrs.map(
      (cidrBlock, i) =>
        new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: this.vpc.id,
            cidrBlock,
            availabilityZone: zones[i],
            // Nothing in these subnets gets a public IP unless it asks (NAT gateways use EIPs).
            mapPublicIpOnLaunch: false,
            tags: tag(`public-${i}`, PUBLIC_LB_TAG),
          },
          { parent: this },
        ),
    );
    this.privateSubnets = layout.privateCidrs.map(
      (cidrBlock, i) =>
        new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: this.vpc.id,
            cidrBlock,
            availabilityZone: zones[i],
            mapPublicIpOnLaunch: false,
            tags: tag(`private-${i}`, INTERNAL_LB_TAG),
          },
          { parent: this },
        ),
    );

    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      {
        vpcId: this.vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: tag("public"),
      },
      { parent: this },
    );
    this.publicSubnets.forEach(
      (subnet, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: subnet.id, routeTableId: publicRoutes.id },
          { parent: this },
        ),
    );

    const natCount = args.natGateways === "perZone" ? AWS_ZONE_COUNT : 1;
    this.natGateways = [...Array(natCount).keys()].map((i) => {
      const eip = new aws.ec2.Eip(
        `${name}-nat-${i}`,
        { domain: "vpc", tags: tag(`nat-${i}`) },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        {
          allocationId: eip.id,
          subnetId: this.publicSubnets[i].id,
          connectivityType: "public",
          tags: tag(`nat-${i}`),
        },
        { parent: this, dependsOn: [igw] },
      );
    });

    this.privateRouteTables = this.privateSubnets.map((subnet, i) => {
      const table = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        {
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: this.natGateways[i % natCount].id }],
          tags: tag(`private-${i}`),
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: table.id },
        { parent: this },
      );
      return table;
    });

    // Artifact uploads/downloads go to S3 without crossing (and paying for) NAT.
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTables.map((t) => t.id),
        tags: tag("s3"),
      },
      { parent: this },
    );

    this.nodeSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-nodes`,
      {
        vpcId: this.vpc.id,
        description: "Marks EKS nodes; other groups admit traffic from it (e.g. PostgreSQL).",
        tags: tag("nodes"),
      },
      { parent: this },
    );

    if (args.flowLogs) {
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        {
          namePrefix: `/mlops/${args.namePrefix}/vpc-flow-logs-`,
          retentionInDays: args.flowLogRetentionDays ?? 90,
          tags: args.tags,
        },
        { parent: this },
      );
      const role = new aws.iam.Role(
        `${name}-flow-logs`,
        {
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
              },
            ],
          }),
          tags: args.tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-flow-logs`,
        {
          role: role.id,
          policy: logGroup.arn.apply((arn) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: [
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                  ],
                  Resource: [arn, `${arn}:*`],
                },
              ],
            }),
          ),
        },
        { parent: this },
      );
      this.flowLog = new aws.ec2.FlowLog(
        `${name}-flow-logs`,
        {
          vpcId: this.vpc.id,
          trafficType: "ALL",
          logDestinationType: "cloud-watch-logs",
          logDestination: logGroup.arn,
          iamRoleArn: role.arn,
          maxAggregationInterval: 60,
          tags: tag("flow-logs"),
        },
        { parent: this },
      );
    }

    this.vpcId = this.vpc.id;
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);
    this.privateSubnetZones = this.privateSubnets.map((s) => s.availabilityZone);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}
