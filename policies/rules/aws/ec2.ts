/** EC2: launch templates (IMDSv2) and security groups (no SSH from anywhere). */
import { awsCis } from "../../lib/frameworks";
import { cis, asArray, resourceRule, type Rule } from "../../lib/rule";
import { EC2_LAUNCH_TEMPLATE, SECURITY_GROUP, SECURITY_GROUP_RULES } from "../types";

export const ec2Rules: Rule[] = [
  resourceRule({
    name: "aws-ec2-imdsv2-required",
    description:
      "Launch templates must require IMDSv2 with a hop limit that keeps pods off the node's credentials.",
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
      "Set metadataOptions = { httpTokens: 'required', httpPutResponseHopLimit: 1 or 2 }.",
    check: (p) => {
      const m = p.metadataOptions ?? {};
      const out: string[] = [];
      if (m.httpTokens !== "required") out.push("metadataOptions.httpTokens is not 'required'.");
      if ((m.httpPutResponseHopLimit ?? 1) > 2)
        out.push("metadataOptions.httpPutResponseHopLimit is above 2.");
      return out;
    },
  }),
  resourceRule({
    name: "aws-ec2-no-ssh-from-anywhere",
    description: "Security groups must not admit SSH (22) from 0.0.0.0/0 or ::/0.",
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
      const open = rules.filter((r) => {
        const from = r.fromPort ?? r.from_port ?? 0;
        const to = r.toPort ?? r.to_port ?? 65535;
        const cidrs = [
          ...asArray<string>(r.cidrBlocks),
          ...asArray<string>(r.ipv6CidrBlocks),
          r.cidrIpv4,
          r.cidrIpv6,
        ].filter(Boolean);
        return (
          from <= 22 && to >= 22 && cidrs.some((c: string) => c === "0.0.0.0/0" || c === "::/0")
        );
      });
      return open.length ? ["SSH is open to the internet."] : [];
    },
  }),
];
