/** Cost and governance rules: labels, GPU budget and shapes, spot in non-prod, DB sizes, versions kept, protect, coverage. */
import type { PolicyResource } from "@pulumi/policy";
import { EC2_GPUS } from "../../components/lib/ec2Gpus";
import { asArray, get, resourceRule, stackRule, type Rule } from "../lib/rule";
import {
  CLOUD_SQL_INSTANCE as SQL,
  EKS_CLUSTER,
  EKS_NODE_GROUP as EKS_NG,
  GCS_BUCKET as GCS,
  GKE_CLUSTER,
  GKE_NODE_POOL as GKE_POOL,
  KMS_KEY,
  RDS_INSTANCE as RDS,
  S3_BUCKET,
  S3_BUCKET_V2,
  S3_LIFECYCLE,
  VPC,
} from "./types";

/** Where each taggable type keeps its labels/tags. */
const LABEL_PATHS: Record<string, string> = {
  [GKE_CLUSTER]: "resourceLabels",
  [GCS]: "labels",
  [SQL]: "settings.userLabels",
  [EKS_CLUSTER]: "tags",
  [EKS_NG]: "tags",
  [RDS]: "tags",
  [S3_BUCKET]: "tags",
  [S3_BUCKET_V2]: "tags",
  [KMS_KEY]: "tags",
  [VPC]: "tags",
};

/**
 * EKS AMI types that carry the NVIDIA driver (AL2_x86_64_GPU, AL2023_*_NVIDIA,
 * BOTTLEROCKET_*_NVIDIA; EKS API AMITypes): a group on one of them is a GPU pool whatever
 * its instance type, so a type missing from EC2_GPUS cannot slip past the GPU rules.
 */
const NVIDIA_AMI = /NVIDIA|_GPU$/;

/**
 * GPU shape of a node pool / node group: GPUs per node (undefined when the instance type's
 * count is not known), max nodes, min nodes, spot, type name.
 */
export function gpuPool(
  type: string,
  p: Record<string, any>,
):
  | { gpus: number | undefined; maxNodes: number; minNodes: number; spot: boolean; kind: string }
  | undefined {
  if (type === GKE_POOL) {
    const acc = asArray<any>(get(p, "nodeConfig.guestAccelerators"))[0];
    if (!acc) return undefined;
    // minNodeCount, maxNodeCount and nodeCount are per zone; the total* limits are not
    // (google_container_node_pool docs). A pool without nodeLocations spans its cluster's
    // zones: three for a regional location (GKE's default), one for a zonal one.
    const zones =
      asArray<string>(p.nodeLocations).length || (/-[a-z]$/.test(String(p.location ?? "")) ? 1 : 3);
    const total = (totalKey: string, perZoneKey: string) =>
      Number(
        get(p, `autoscaling.${totalKey}`) ??
          (get(p, `autoscaling.${perZoneKey}`) ?? p.nodeCount ?? 0) * zones,
      );
    return {
      gpus: Number(acc.count ?? 0),
      maxNodes: total("totalMaxNodeCount", "maxNodeCount"),
      minNodes: total("totalMinNodeCount", "minNodeCount"),
      spot: get(p, "nodeConfig.spot") === true || get(p, "nodeConfig.preemptible") === true,
      kind: String(acc.type),
    };
  }
  if (type === EKS_NG) {
    const instance = asArray<string>(p.instanceTypes)[0];
    const gpus = instance ? EC2_GPUS[instance] : undefined;
    if (!gpus && !NVIDIA_AMI.test(String(p.amiType ?? ""))) return undefined;
    return {
      gpus,
      maxNodes: Number(get(p, "scalingConfig.maxSize") ?? 0),
      minNodes: Number(get(p, "scalingConfig.minSize") ?? 0),
      spot: p.capacityType === "SPOT",
      kind: instance ?? "(no instance type)",
    };
  }
  return undefined;
}

export const costRules: Rule[] = [
  resourceRule<{ requiredLabels: string[] }>({
    name: "cost-required-labels",
    covers: ["CKV_GCP_21", "AVD-GCP-0051"],
    description:
      "Billable resources must carry the labels/tags that attribute cost: team, cost-center, environment, managed-by.",
    severity: "low",
    types: Object.keys(LABEL_PATHS),
    tags: ["cost", "governance"],
    remediationSteps:
      "Add the missing keys to mlops-platform:labels (they are applied to every resource).",
    config: {
      requiredLabels: {
        type: "array",
        items: { type: "string" },
        default: ["team", "cost-center", "environment", "managed-by"],
        description: "Label/tag keys every billable resource needs.",
      },
    },
    check: (p, { type, config }) => {
      const labels = get(p, LABEL_PATHS[type]) ?? {};
      const missing = config.requiredLabels.filter((k) => !labels[k]);
      return missing.length ? [`missing labels: ${missing.join(", ")}.`] : [];
    },
  }),
  stackRule<{ maxGpus: number }>({
    name: "cost-gpu-budget",
    description:
      "The stack's GPU pools together may hold at most maxGpus GPUs (sum over pools of max nodes x GPUs per node); a GPU node group whose GPUs per node are not known is refused, since it cannot be counted.",
    severity: "high",
    types: [GKE_POOL, EKS_NG],
    tags: ["cost", "gpu"],
    remediationSteps:
      "Lower maxNodes or gpusPerNode of a pool, or raise maxGpus for this stack in policies/config/<stack>.json after budget approval.",
    config: {
      maxGpus: {
        type: "integer",
        default: 8,
        minimum: 0,
        description: "Most GPUs the stack may scale to.",
      },
    },
    check: (resources, config) => {
      const pools = resources
        .map((r) => ({ r, g: gpuPool(r.type, r.props as Record<string, any>) }))
        .filter((x) => x.g);
      // A GPU group whose GPUs per node are unknown cannot be held to the budget: refuse it.
      const uncounted = pools
        .filter((x) => x.g!.gpus === undefined)
        .map((x) => ({
          message: `GPU node group ${x.r.name}: instance type ${x.g!.kind} has no known GPU count, so the budget cannot count it; use a type listed in components/lib/ec2Gpus.ts or add it there.`,
          urn: x.r.urn,
        }));
      const total = pools.reduce((sum, x) => sum + (x.g!.gpus ?? 0) * x.g!.maxNodes, 0);
      return [
        ...uncounted,
        ...(total > config.maxGpus
          ? [
              {
                message: `GPU pools can scale to ${total} GPUs (${pools.map((x) => `${x.r.name}: ${x.g!.maxNodes}x${x.g!.gpus ?? "?"}`).join(", ")}); budget is ${config.maxGpus}.`,
              },
            ]
          : []),
      ];
    },
  }),
  resourceRule<{ allowedGpuTypes: string[] }>({
    name: "cost-gpu-allowed-types",
    description:
      "GPU pools may only use the accelerator / instance types allowed for the environment.",
    severity: "medium",
    types: [GKE_POOL, EKS_NG],
    tags: ["cost", "gpu"],
    remediationSteps:
      "Use an allowed GPU type, or extend allowedGpuTypes in this stack's policy config after review.",
    config: {
      allowedGpuTypes: {
        type: "array",
        items: { type: "string" },
        default: ["nvidia-tesla-t4", "nvidia-l4", "g4dn.*", "g5.*", "g6.*"],
        description: "Accelerator types (GKE) or instance types (EC2, '*' wildcard) allowed.",
      },
    },
    check: (p, { type, config }) => {
      const g = gpuPool(type, p);
      if (!g) return [];
      const ok = config.allowedGpuTypes.some((pat) =>
        new RegExp(`^${pat.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`).test(g.kind),
      );
      return ok ? [] : [`GPU type ${g.kind} is not allowed here.`];
    },
  }),
  resourceRule<{ requireSpotAndScaleToZero: boolean }>({
    name: "cost-gpu-spot-scale-to-zero",
    description: "Where required (dev, staging), GPU pools run on spot capacity and scale to zero.",
    severity: "medium",
    types: [GKE_POOL, EKS_NG],
    tags: ["cost", "gpu"],
    remediationSteps: "Set spot: true and minNodes: 0 on the pool.",
    config: {
      requireSpotAndScaleToZero: {
        type: "boolean",
        default: false,
        description: "Enforce spot + min 0.",
      },
    },
    check: (p, { type, config }) => {
      const g = gpuPool(type, p);
      if (!g || !config.requireSpotAndScaleToZero) return [];
      return [
        ...(g.spot ? [] : ["not on spot capacity."]),
        ...(g.minNodes === 0 ? [] : [`minNodes is ${g.minNodes}, not 0.`]),
      ];
    },
  }),
  resourceRule<{ allowedSizes: string[] }>({
    name: "cost-db-size-allowed",
    description: "Database tiers / instance classes must be on the environment's allow-list.",
    severity: "medium",
    types: [SQL, RDS],
    tags: ["cost", "database"],
    remediationSteps:
      "Pick an allowed size via mlops-platform:database.size, or extend allowedSizes after review.",
    config: {
      allowedSizes: {
        type: "array",
        items: { type: "string" },
        default: [
          "db-custom-1-3840",
          "db-custom-2-7680",
          "db-custom-4-15360",
          "db.t4g.medium",
          "db.m7g.large",
          "db.m7g.xlarge",
        ],
        description: "Cloud SQL tiers and RDS instance classes allowed.",
      },
    },
    check: (p, { type, config }) => {
      const size = type === SQL ? get(p, "settings.tier") : p.instanceClass;
      return size === undefined || config.allowedSizes.includes(size)
        ? []
        : [`size ${size} is not allowed here.`];
    },
  }),
  resourceRule<{ maxNoncurrentVersions: number }>({
    name: "cost-bucket-versions-capped",
    covers: ["CKV_AWS_300"],
    description:
      "Versioned buckets must expire noncurrent versions beyond a cap, or storage grows without bound; S3 lifecycles must also abort incomplete multipart uploads bucket-wide (their parts are billed until removed).",
    severity: "low",
    types: [GCS, ...S3_LIFECYCLE],
    tags: ["cost", "storage"],
    remediationSteps:
      "Add a lifecycle rule deleting noncurrent versions with more than N newer versions (artifacts.keepVersions).",
    config: {
      maxNoncurrentVersions: {
        type: "integer",
        default: 20,
        minimum: 1,
        description: "Largest allowed keep count.",
      },
    },
    check: (p, { type, config }) => {
      if (type === GCS && get(p, "versioning.enabled") !== true) return [];
      // Keep counts of the noncurrent-version expiry rules, per cloud's shape.
      const caps =
        type === GCS
          ? asArray<any>(p.lifecycleRules)
              .filter((r) => get(r, "action.type") === "Delete")
              // GCS counts the live version among the newer ones: N + 1 keeps N noncurrent.
              .map((r) => {
                const n = get(r, "condition.numNewerVersions");
                return n === undefined || n === null ? n : Number(n) - 1;
              })
          : asArray<any>(p.rules)
              .filter((r) => r.status === "Enabled")
              .map((r) => get(r, "noncurrentVersionExpiration.newerNoncurrentVersions"));
      const out: string[] = [];
      // An Enabled rule whose filter selects the whole bucket (no prefix, size or tag).
      const bucketWide = (r: any) =>
        ["prefix", "objectSizeGreaterThan", "objectSizeLessThan", "tag", "and"].every(
          (k) => !get(r, `filter.${k}`),
        ) && !r.prefix;
      if (
        type !== GCS &&
        !asArray<any>(p.rules).some(
          (r) =>
            r.status === "Enabled" &&
            get(r, "abortIncompleteMultipartUpload.daysAfterInitiation") !== undefined &&
            bucketWide(r),
        )
      )
        out.push("no bucket-wide rule aborts incomplete multipart uploads.");
      const kept = caps.filter((n) => n !== undefined && n !== null).map(Number);
      if (!kept.length) return [...out, "no lifecycle rule caps noncurrent versions."];
      const min = Math.min(...kept);
      if (min > config.maxNoncurrentVersions)
        out.push(`keeps ${min} versions > ${config.maxNoncurrentVersions}.`);
      return out;
    },
  }),
  stackRule<{ requireProtect: boolean; statefulTypes: string[] }>({
    name: "gov-stateful-protected",
    description:
      "Where required (prod), clusters, databases, buckets and KMS keys are `protect`ed against accidental deletion.",
    severity: "high",
    types: [
      "gcp:container/cluster:Cluster",
      SQL,
      GCS,
      "aws:eks/cluster:Cluster",
      RDS,
      "aws:s3/bucket:Bucket",
      "aws:kms/key:Key",
    ],
    tags: ["governance", "reliability"],
    remediationSteps: "Pass { protect: true } (the platform does it when the environment is prod).",
    config: {
      requireProtect: {
        type: "boolean",
        default: false,
        description: "Enforce protect on stateful resources.",
      },
      statefulTypes: {
        type: "array",
        items: { type: "string" },
        default: [
          "gcp:container/cluster:Cluster",
          SQL,
          GCS,
          "aws:eks/cluster:Cluster",
          RDS,
          "aws:s3/bucket:Bucket",
          "aws:kms/key:Key",
        ],
        description: "Types that must be protected.",
      },
    },
    check: (resources, config) =>
      config.requireProtect
        ? resources
            .filter((r) => config.statefulTypes.includes(r.type) && !r.opts.protect)
            .map((r) => ({ message: `${r.type} ${r.name} is not protected.`, urn: r.urn }))
        : [],
  }),
];

/** Sensitive type patterns that must be covered by at least one rule. */
export const SENSITIVE_PATTERNS = [
  "storage",
  "s3/",
  "sql/",
  "rds/",
  "container/cluster",
  "eks/cluster",
  "kms/",
  "secretmanager/",
  "secretsmanager/",
];

/** Builds the coverage guard from the full rule list (it needs to see every rule's types). */
export function coverageGuard(all: Rule[]): Rule {
  const covered = new Set(all.flatMap((r) => r.types));
  return stackRule<{ sensitivePatterns: string[]; ignoredTypes: string[] }>({
    name: "gov-policy-coverage",
    description:
      "Every sensitive resource type in the stack (storage, databases, clusters, keys, secrets) should be targeted by at least one rule. Advisory in every stack: a coverage gap is information for the pack's authors, never a reason to block a good resource.",
    severity: "medium",
    types: [],
    tags: ["governance"],
    remediationSteps:
      "Write a rule for the uncovered type (see policies/README.md), or list it in ignoredTypes with a reason in review.",
    config: {
      sensitivePatterns: {
        type: "array",
        items: { type: "string" },
        default: SENSITIVE_PATTERNS,
        description: "Substrings of sensitive type tokens.",
      },
      ignoredTypes: {
        type: "array",
        items: { type: "string" },
        default: [
          "gcp:storage/bucketIAMMember:BucketIAMMember",
          "gcp:sql/database:Database",
          "gcp:sql/user:User",
          "aws:s3/bucketPolicy:BucketPolicy",
          "aws:kms/alias:Alias",
          // Only lists subnets; the subnets' privacy is the network's, and aws-rds-not-public checks the instance.
          "aws:rds/subnetGroup:SubnetGroup",
        ],
        description: "Sensitive types deliberately left without a rule.",
      },
    },
    check: (resources: PolicyResource[], config) => {
      const seen = new Set<string>();
      return resources
        .filter((r) => config.sensitivePatterns.some((s) => r.type.includes(s)))
        .filter((r) => !covered.has(r.type) && !config.ignoredTypes.includes(r.type))
        .filter((r) => !seen.has(r.type) && seen.add(r.type) !== undefined)
        .map((r) => ({ message: `no rule targets ${r.type} (e.g. ${r.name}).`, urn: r.urn }));
    },
  });
}
