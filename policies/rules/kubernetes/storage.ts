/** StorageClasses: encrypted volumes. */
import { cis, get, resourceRule, type Rule } from "../../lib/rule";

export const storageRules: Rule[] = [
  resourceRule({
    name: "k8s-storageclass-encrypted",
    covers: ["kubescape:C-0264"],
    description:
      "StorageClasses that provision EBS volumes must encrypt them (GCE persistent disks are always encrypted).",
    severity: "high",
    types: ["kubernetes:storage.k8s.io/v1:StorageClass"],
    tags: ["kubernetes", "storage", "encryption"],
    framework: cis(
      "AWS Foundational Security Best Practices",
      "1.0.0",
      "EC2.7",
      "EBS default encryption should be enabled",
    ),
    remediationSteps:
      "Set parameters.encrypted: 'true' (and optionally kmsKeyId) on the StorageClass.",
    check: (p) => {
      const ebs = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"].includes(String(p.provisioner));
      return ebs && String(get(p, "parameters.encrypted")) !== "true"
        ? [`${p.provisioner} volumes are not encrypted.`]
        : [];
    },
  }),
];
