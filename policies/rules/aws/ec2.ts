/** EC2: launch templates (IMDSv2, encryption, no public IPs) and security groups (no admin ports or all ports from anywhere, a closed default group). */
import { awsCis } from "../../lib/frameworks";
import { cis, asArray, resourceRule, type Rule } from "../../lib/rule";
import {
  DEFAULT_SECURITY_GROUP,
  EC2_LAUNCH_TEMPLATE,
  SECURITY_GROUP,
  SECURITY_GROUP_RULES,
} from "../types";

export const ec2Rules: Rule[] = [
  resourceRule<{ maxHopLimit: number }>({
    name: "aws-ec2-imdsv2-required",
    covers: ["CKV_AWS_79", "CKV_AWS_341", "AVD-AWS-0130"],
    description:
      "Launch templates must require IMDSv2 with a hop limit of 1, which keeps pods (one network hop further) off the node's credentials; pods get their own through IRSA.",
    severity: "high",
    types: [EC2_LAUNCH_TEMPLATE],
    tags: ["aws", "ec2", "iam", "security"],
    framework: cis(
      "AWS Foundational Security Best Practices",
      "1.0.0",
      "EC2.8",
      "EC2 instances should use IMDSv2",
    ),
    remediationSteps:
      "Set metadataOptions = { httpTokens: 'required', httpPutResponseHopLimit: 1 }.",
    config: {
      maxHopLimit: {
        type: "integer",
        default: 1,
        minimum: 1,
        description:
          "Highest httpPutResponseHopLimit allowed; 2 lets every pod reach the node role's credentials.",
      },
    },
    check: (p, { config }) => {
      const m = p.metadataOptions ?? {};
      const out: string[] = [];
      if (m.httpTokens !== "required") out.push("metadataOptions.httpTokens is not 'required'.");
      // EC2's default hop limit is 1 for launch templates that omit it.
      if ((m.httpPutResponseHopLimit ?? 1) > config.maxHopLimit)
        out.push(
          `metadataOptions.httpPutResponseHopLimit ${m.httpPutResponseHopLimit} is above ${config.maxHopLimit}: pods can reach the node's credentials.`,
        );
      return out;
    },
  }),
  resourceRule<{ requireCustomerKey: boolean }>({
    name: "aws-ec2-launch-template-hardened",
    covers: [
      "CKV_AWS_88",
      "CKV_AWS_46",
      "AVD-AWS-0129",
      "compliance-policies:aws-ec2-launchtemplate-disallow-public-ip",
      "compliance-policies:aws-ec2-launchtemplate-disallow-unencrypted-block-device",
      "compliance-policies:aws-ec2-launchtemplate-configure-customer-managed-key",
    ],
    description:
      "Launch templates must encrypt every EBS volume (with a customer-managed key where the stack requires it), give nodes no public IP address, and carry no AWS credentials in their user data (nodes get theirs from the instance role).",
    severity: "high",
    types: [EC2_LAUNCH_TEMPLATE],
    tags: ["aws", "ec2", "encryption", "network"],
    framework: cis(
      "AWS Foundational Security Best Practices",
      "1.0.0",
      "EC2.3 / EC2.25",
      "Attached EBS volumes should be encrypted; launch templates should not assign public IPs",
    ),
    remediationSteps:
      "Set blockDeviceMappings[].ebs.encrypted = 'true' and networkInterfaces[].associatePublicIpAddress = 'false' (or omit it in private subnets); remove credentials from userData.",
    config: {
      requireCustomerKey: {
        type: "boolean",
        default: false,
        description: "Require blockDeviceMappings[].ebs.kmsKeyId (a customer-managed KMS key).",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      // userData is base64 for launch templates; read it both ways. Key ids per AWS's IAM
      // identifier prefixes (docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
      if (typeof p.userData === "string") {
        const text = `${p.userData}\n${Buffer.from(p.userData, "base64").toString("utf8")}`;
        if (
          /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/.test(text) ||
          /aws_secret_access_key\s*[=:]/i.test(text)
        )
          out.push("userData holds AWS credentials.");
      }
      for (const [i, b] of asArray<any>(p.blockDeviceMappings).entries())
        if (b.ebs && String(b.ebs.encrypted) !== "true")
          out.push(`blockDeviceMappings[${i}] (${b.deviceName ?? "?"}) is not encrypted.`);
        else if (b.ebs && config.requireCustomerKey && !b.ebs.kmsKeyId)
          out.push(
            `blockDeviceMappings[${i}] (${b.deviceName ?? "?"}) uses the AWS-managed EBS key.`,
          );
      for (const [i, n] of asArray<any>(p.networkInterfaces).entries())
        if (String(n.associatePublicIpAddress) === "true")
          out.push(`networkInterfaces[${i}] assigns a public IP.`);
      return out;
    },
  }),
  resourceRule({
    name: "aws-ec2-security-group-described",
    covers: [
      "CKV_AWS_23",
      "AVD-AWS-0099",
      "AVD-AWS-0124",
      "compliance-policies:aws-ec2-securitygroup-missing-description",
      "compliance-policies:aws-ec2-securitygroup-missing-egress-rule-description",
      "compliance-policies:aws-ec2-securitygroup-missing-ingress-rule-description",
    ],
    description:
      "Security groups and each of their rules must say what they admit (a description other than the provider's default), so a review can tell a deliberate opening from a leftover.",
    severity: "low",
    types: [SECURITY_GROUP, ...SECURITY_GROUP_RULES],
    tags: ["aws", "ec2", "network", "review"],
    remediationSteps: "Set description on the security group and on every ingress/egress rule.",
    check: (p, ctx) => {
      // The provider's default group description (pulumi-aws; "Managed by Terraform" upstream).
      const blank = (d: unknown) =>
        typeof d !== "string" || d.trim() === "" || /^Managed by (Pulumi|Terraform)$/.test(d);
      const out: string[] = [];
      if (ctx.type === SECURITY_GROUP) {
        if (blank(p.description)) out.push("the security group has no description of its own.");
        for (const dir of ["ingress", "egress"])
          for (const [i, r] of asArray<any>(p[dir]).entries())
            if (blank(r.description)) out.push(`${dir}[${i}] has no description.`);
      } else if (blank(p.description)) out.push("the rule has no description.");
      return out;
    },
  }),
  resourceRule({
    name: "aws-ec2-no-ssh-from-anywhere",
    covers: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "AVD-AWS-0107"],
    description:
      "Security groups must not admit SSH (22), RDP (3389) or all ports from 0.0.0.0/0 or ::/0, in inline rules or separate rule resources, whatever the protocol spelling (-1, all).",
    severity: "critical",
    types: [SECURITY_GROUP, ...SECURITY_GROUP_RULES],
    tags: ["aws", "ec2", "network", "security"],
    framework: awsCis(
      "5.2",
      "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports",
    ),
    remediationSteps: "Remove the rule; use SSM Session Manager.",
    check: (p, ctx) => {
      const rules: any[] =
        ctx.type === SECURITY_GROUP ? asArray(p.ingress) : p.type === "egress" ? [] : [p];
      const out: string[] = [];
      for (const r of rules) {
        const cidrs = [
          ...asArray<string>(r.cidrBlocks),
          ...asArray<string>(r.ipv6CidrBlocks),
          r.cidrIpv4,
          r.cidrIpv6,
        ].filter(Boolean);
        if (!cidrs.some((c: string) => c === "0.0.0.0/0" || c === "::/0")) continue;
        const protocol = String(r.protocol ?? r.ipProtocol ?? "tcp").toLowerCase();
        // Protocol -1 ("all") opens every port whatever fromPort/toPort say (EC2 API).
        if (protocol === "-1" || protocol === "all") {
          out.push("all traffic is open to the internet.");
          continue;
        }
        const from = r.fromPort ?? 0;
        const to = r.toPort ?? 65535;
        // 0-0 and -1..-1 are how "all ports" is usually written (the EC2 API ignores ports only
        // for protocol -1; checkov reads both as every port, and so do we).
        const everyPort =
          (from <= 0 && to >= 65535) || (from === to && (from === 0 || from === -1));
        if (everyPort) out.push("every port is open to the internet.");
        else
          for (const [port, name] of [
            [22, "SSH"],
            [3389, "RDP"],
          ] as const)
            if (from <= port && to >= port) out.push(`${name} is open to the internet.`);
      }
      return [...new Set(out)];
    },
  }),
  resourceRule({
    name: "aws-ec2-default-sg-closed",
    covers: ["CKV2_AWS_12", "AVD-AWS-0173"],
    description:
      "The VPC's default security group must have no rules, so nothing lands in it by accident.",
    severity: "medium",
    types: [DEFAULT_SECURITY_GROUP],
    tags: ["aws", "ec2", "network", "security"],
    framework: awsCis(
      "5.4",
      "Ensure the default security group of every VPC restricts all traffic",
    ),
    remediationSteps: "Manage it with aws.ec2.DefaultSecurityGroup and no ingress or egress.",
    check: (p) =>
      asArray(p.ingress).length || asArray(p.egress).length
        ? ["the default security group has rules."]
        : [],
  }),
];
