/**
 * Pinned EKS managed add-on versions per Kubernetes minor, and the
 * cluster-autoscaler image that matches each minor. Pure data.
 *
 * Versions move only in a reviewed change. To refresh a row:
 *   aws eks describe-addon-versions --kubernetes-version 1.33 --addon-name coredns \
 *     --query 'addons[0].addonVersions[0].addonVersion'
 * (repeat for vpc-cni, kube-proxy, aws-ebs-csi-driver). A stack can override any
 * of them with `mlops-platform:cluster.addonVersions`.
 */

import { EKS_ADDONS, type EksAddon } from "../../model";

export { EKS_ADDONS, type EksAddon };

/** Add-on versions per Kubernetes minor (versions seen in `describe-addon-versions` output in 2025-2026). */
export const EKS_ADDON_VERSIONS: Record<string, Record<EksAddon, string>> = {
  "1.32": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "kube-proxy": "v1.32.13-eksbuild.24",
    coredns: "v1.11.4-eksbuild.51",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
  },
  "1.33": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "kube-proxy": "v1.33.10-eksbuild.21",
    coredns: "v1.12.4-eksbuild.29",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
  },
  "1.34": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "kube-proxy": "v1.34.6-eksbuild.21",
    coredns: "v1.12.4-eksbuild.29",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
  },
  "1.35": {
    "vpc-cni": "v1.22.4-eksbuild.3",
    "kube-proxy": "v1.35.3-eksbuild.21",
    coredns: "v1.13.2-eksbuild.21",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
  },
};

/** cluster-autoscaler image tag per Kubernetes minor (the autoscaler is released in lockstep with Kubernetes). */
export const CLUSTER_AUTOSCALER_TAGS: Record<string, string> = {
  "1.32": "v1.32.0",
  "1.33": "v1.33.0",
  "1.34": "v1.34.0",
  "1.35": "v1.35.0",
};

/** An add-on version: `v<semver>-eksbuild.<n>`. */
export const ADDON_VERSION_RE = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

/**
 * The add-on versions for a minor: the table's row with any overrides on top,
 * or the list of add-ons that have no version. Pure.
 */
export function resolveAddonVersions(
  kubernetesVersion: string,
  overrides: Partial<Record<EksAddon, string>> = {},
): { versions: Record<EksAddon, string> } | { missing: EksAddon[] } {
  const row: Partial<Record<EksAddon, string>> = {
    ...(EKS_ADDON_VERSIONS[kubernetesVersion] ?? {}),
    ...overrides,
  };
  const missing = EKS_ADDONS.filter((a) => !row[a]);
  return missing.length ? { missing } : { versions: row as Record<EksAddon, string> };
}
