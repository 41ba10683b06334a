/** EKS clusters, node groups and add-ons: endpoint, secrets encryption, access entries, logs, version, no SSH, pinned add-ons. */
import { eksVersionProblem, today } from "../../../components/model";
import { eksCis } from "../../lib/frameworks";
import { asArray, cis, get, resourceRule, type Rule } from "../../lib/rule";
import { EKS_CLUSTER, EKS_NODE_GROUP, EKS_ADDON } from "../types";

export const eksRules: Rule[] = [
  resourceRule<{ allowPublicEndpoint: boolean }>({
    name: "aws-eks-endpoint-restricted",
    covers: [
      "CKV_AWS_38",
      "AVD-AWS-0041",
      "CKV_AWS_39",
      "AVD-AWS-0040",
      "compliance-policies:aws-eks-cluster-disallow-api-endpoint-public-access",
      "kubescape:C-0227",
      "kubescape:C-0228",
      "kubescape:C-0229",
    ],
    description:
      "The EKS API endpoint must be private, or public only to listed CIDRs (never 0.0.0.0/0).",
    severity: "critical",
    types: [EKS_CLUSTER],
    tags: ["aws", "eks", "network", "security"],
    framework: eksCis(
      "5.4.2",
      "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    remediationSteps:
      "Set vpcConfig.endpointPrivateAccess = true and endpointPublicAccess = false, or publicAccessCidrs to your VPN/CI ranges.",
    config: {
      allowPublicEndpoint: {
        type: "boolean",
        default: true,
        description: "Allow a public endpoint restricted by CIDR.",
      },
    },
    check: (p, { config }) => {
      const v = p.vpcConfig ?? {};
      const out: string[] = [];
      if (v.endpointPrivateAccess !== true)
        out.push("vpcConfig.endpointPrivateAccess is not true.");
      if (v.endpointPublicAccess !== false) {
        // Provider default: public access on, from 0.0.0.0/0.
        const cidrs = asArray<string>(v.publicAccessCidrs);
        if (!config.allowPublicEndpoint) out.push("the public endpoint is on.");
        else if (cidrs.length === 0 || cidrs.some((c) => c.endsWith("/0")))
          out.push("the public endpoint admits 0.0.0.0/0.");
      }
      return out;
    },
  }),
  resourceRule({
    name: "aws-eks-secrets-encryption",
    covers: [
      "CKV_AWS_58",
      "AVD-AWS-0039",
      "compliance-policies:aws-eks-cluster-enable-cluster-encryption-config",
      "kubescape:C-0066",
    ],
    description: "EKS must envelope-encrypt Kubernetes Secrets with a KMS key.",
    severity: "high",
    types: [EKS_CLUSTER],
    tags: ["aws", "eks", "encryption"],
    framework: eksCis(
      "5.3.1",
      "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    remediationSteps:
      "Set encryptionConfig = { resources: ['secrets'], provider: { keyArn: <KMS key with rotation> } }.",
    check: (p) => {
      const e = p.encryptionConfig ?? {};
      return asArray(e.resources).includes("secrets") && get(e, "provider.keyArn")
        ? []
        : ["Secrets are not encrypted with a KMS key."];
    },
  }),
  resourceRule({
    name: "aws-eks-access-entries",
    covers: ["kubescape:C-0285"],
    description:
      "EKS must authenticate through access entries (accessConfig.authenticationMode API, or API_AND_CONFIG_MAP while migrating), not the aws-auth ConfigMap alone: access entries are IAM-managed, audited in CloudTrail and cannot be broken by a bad ConfigMap edit.",
    severity: "medium",
    types: [EKS_CLUSTER],
    tags: ["aws", "eks", "iam"],
    framework: cis(
      "kubescape",
      "v3",
      "C-0285",
      "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters",
    ),
    remediationSteps:
      "Set accessConfig.authenticationMode = 'API' and grant access with aws.eks.AccessEntry and AccessPolicyAssociation.",
    check: (p) => {
      // Unset is CONFIG_MAP for clusters created through the API (EKS API reference,
      // CreateAccessConfigRequest.authenticationMode).
      const mode = get(p, "accessConfig.authenticationMode") ?? "CONFIG_MAP";
      return mode === "API" || mode === "API_AND_CONFIG_MAP"
        ? []
        : [
            `accessConfig.authenticationMode is ${mode}: only the aws-auth ConfigMap grants access.`,
          ];
    },
  }),
  resourceRule<{ requiredLogTypes: string[] }>({
    name: "aws-eks-control-plane-logs",
    covers: ["CKV_AWS_37", "AVD-AWS-0038", "kubescape:C-0067"],
    description:
      "EKS must ship control-plane logs, including audit, to CloudWatch (all five types where the stack requires them; prod does).",
    severity: "medium",
    types: [EKS_CLUSTER],
    tags: ["aws", "eks", "logging"],
    framework: eksCis("2.1.1", "Enable audit Logs"),
    remediationSteps: "Set enabledClusterLogTypes to include api, audit and authenticator.",
    config: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string" },
        default: ["api", "audit", "authenticator"],
        description: "Log types that must be on.",
      },
    },
    check: (p, { config }) => {
      const on = asArray<string>(p.enabledClusterLogTypes);
      const missing = config.requiredLogTypes.filter((t) => !on.includes(t));
      return missing.length ? [`control-plane log types off: ${missing.join(", ")}.`] : [];
    },
  }),
  resourceRule<{ today: string }>({
    name: "aws-eks-supported-version",
    covers: ["CKV_AWS_339"],
    description:
      "EKS must run a Kubernetes version still in standard support (the dated table in components/model.ts).",
    severity: "medium",
    types: [EKS_CLUSTER],
    tags: ["aws", "eks", "patching"],
    remediationSteps:
      "Set version to a minor still in standard support (see the EKS version calendar) and upgrade one minor at a time.",
    config: {
      today: {
        type: "string",
        default: "",
        description:
          "The date to judge support on (YYYY-MM-DD); empty means the day the pack runs.",
      },
    },
    check: (p, { config }) => {
      if (!p.version) return [];
      const problem = eksVersionProblem(String(p.version), config.today || today());
      return problem ? [`version ${problem}`] : [];
    },
  }),
  resourceRule({
    name: "aws-eks-nodegroup-no-ssh",
    covers: ["CKV_AWS_100"],
    description:
      "EKS node groups must not open SSH to the nodes at all (deliberately stricter than checkov CKV_AWS_100, which allows SSH restricted to security groups): use SSM Session Manager.",
    severity: "high",
    types: [EKS_NODE_GROUP],
    tags: ["aws", "eks", "network", "security"],
    remediationSteps: "Remove remoteAccess; use SSM Session Manager for node access.",
    check: (p) => (p.remoteAccess ? ["remoteAccess (SSH) is configured."] : []),
  }),
  resourceRule({
    name: "aws-eks-addon-pinned",
    description:
      "EKS managed add-ons must be pinned to an exact version, so upgrades happen in reviewed changes.",
    severity: "medium",
    types: [EKS_ADDON],
    tags: ["aws", "eks", "supply-chain"],
    remediationSteps:
      "Set addonVersion (e.g. v1.20.1-eksbuild.3; list with `aws eks describe-addon-versions`).",
    check: (p) =>
      /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(String(p.addonVersion ?? ""))
        ? []
        : [`add-on ${p.addonName} has no exact addonVersion.`],
  }),
];
