/**
 * Kubernetes workload rules. They apply to the pod template of Deployments,
 * StatefulSets, DaemonSets, Jobs, CronJobs and Argo Rollouts (and bare Pods).
 * Objects rendered inside a Helm Release are invisible to CrossGuard
 * (pulumi/pulumi #10055); the argo/helm rules police the Release inputs instead.
 */
import { asArray, cis, get, resourceRule, stackRule, type Rule } from "../lib/rule";

export const WORKLOAD_TYPES = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:core/v1:Pod",
  "kubernetes:argoproj.io/v1alpha1:Rollout",
];
const SERVERS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:argoproj.io/v1alpha1:Rollout",
];
const SERVICE = "kubernetes:core/v1:Service";

const k8sCis = (reference: string, specification: string) =>
  cis("CIS Kubernetes Benchmark", "1.9.0", reference, specification);

/** The pod spec inside any workload kind (CronJob nests two templates). */
export function podSpecOf(type: string, p: Record<string, any>): Record<string, any> | undefined {
  if (type === "kubernetes:core/v1:Pod") return p.spec;
  if (type === "kubernetes:batch/v1:CronJob") return get(p, "spec.jobTemplate.spec.template.spec");
  return get(p, "spec.template.spec");
}

const containersOf = (spec: Record<string, any>) => [
  ...asArray<any>(spec.initContainers),
  ...asArray<any>(spec.containers),
];

/** Wraps a pod-spec check so it runs for every workload type. */
function podRule<C = Record<string, never>>(
  meta: Omit<Parameters<typeof resourceRule<C>>[0], "check" | "types"> & {
    types?: string[];
    checkPod: (
      spec: Record<string, any>,
      config: C,
      type: string,
      props: Record<string, any>,
    ) => string[];
  },
): Rule {
  const { checkPod, ...rest } = meta;
  return resourceRule<C>({
    types: WORKLOAD_TYPES,
    ...rest,
    check: (p, ctx) => {
      const spec = podSpecOf(ctx.type, p);
      // A Rollout may reference a Deployment's template (workloadRef) instead of carrying one.
      return spec ? checkPod(spec, ctx.config, ctx.type, p) : [];
    },
  });
}

export const kubernetesRules: Rule[] = [
  podRule({
    name: "k8s-pod-no-privileged",
    description: "Containers must not run privileged or add capabilities beyond NET_BIND_SERVICE.",
    severity: "critical",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.2", "Minimize the admission of privileged containers"),
    remediationSteps: "Remove securityContext.privileged and capabilities.add; drop ALL.",
    checkPod: (spec) =>
      containersOf(spec).flatMap((c) => {
        const out: string[] = [];
        if (get(c, "securityContext.privileged") === true)
          out.push(`container ${c.name} is privileged.`);
        const added = asArray<string>(get(c, "securityContext.capabilities.add")).filter(
          (cap) => cap !== "NET_BIND_SERVICE",
        );
        if (added.length) out.push(`container ${c.name} adds ${added.join(", ")}.`);
        return out;
      }),
  }),
  podRule({
    name: "k8s-pod-no-host-namespaces",
    description: "Pods must not share the node's network, PID or IPC namespaces.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis(
      "5.2.4",
      "Minimize the admission of containers wishing to share the host network namespace",
    ),
    remediationSteps: "Remove hostNetwork, hostPID and hostIPC.",
    checkPod: (spec) =>
      ["hostNetwork", "hostPID", "hostIPC"]
        .filter((k) => spec[k] === true)
        .map((k) => `${k} is true.`),
  }),
  podRule({
    name: "k8s-pod-no-hostpath",
    description: "Pods must not mount hostPath volumes.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.12", "Minimize the admission of HostPath volumes"),
    remediationSteps: "Use emptyDir, a PVC, a ConfigMap or a CSI volume instead.",
    checkPod: (spec) =>
      asArray<any>(spec.volumes)
        .filter((v) => v.hostPath)
        .map((v) => `volume ${v.name} is a hostPath.`),
  }),
  podRule({
    name: "k8s-pod-restricted-security-context",
    description:
      "Containers must run as non-root, without privilege escalation, with ALL capabilities dropped and the RuntimeDefault seccomp profile.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.6", "Minimize the admission of root containers"),
    remediationSteps:
      "Set runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault.",
    checkPod: (spec) =>
      containersOf(spec).flatMap((c) => {
        const sc = c.securityContext ?? {};
        const pod = spec.securityContext ?? {};
        const out: string[] = [];
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true)
          out.push(`${c.name}: runAsNonRoot is not true.`);
        if (sc.allowPrivilegeEscalation !== false)
          out.push(`${c.name}: allowPrivilegeEscalation is not false.`);
        if (!asArray<string>(get(sc, "capabilities.drop")).includes("ALL"))
          out.push(`${c.name}: capabilities.drop lacks ALL.`);
        const seccomp = get(sc, "seccompProfile.type") ?? get(pod, "seccompProfile.type");
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
          out.push(`${c.name}: seccompProfile is not RuntimeDefault.`);
        return out;
      }),
  }),
  podRule({
    name: "k8s-pod-resources",
    description: "Containers must declare CPU and memory requests and a memory limit.",
    severity: "medium",
    tags: ["kubernetes", "reliability", "cost"],
    remediationSteps:
      "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
    checkPod: (spec) =>
      asArray<any>(spec.containers).flatMap((c) => {
        const missing = ["requests.cpu", "requests.memory", "limits.memory"].filter(
          (k) => !get(c.resources, k),
        );
        return missing.length ? [`${c.name}: missing ${missing.join(", ")}.`] : [];
      }),
  }),
  podRule<{ gpuTaintKey: string }>({
    name: "k8s-pod-gpu-requests",
    description:
      "Containers using GPUs must request exactly their limit, and the pod must tolerate the GPU taint.",
    severity: "medium",
    tags: ["kubernetes", "gpu", "cost"],
    remediationSteps:
      "Set nvidia.com/gpu in limits (requests equal or absent) and add a toleration for the GPU taint key.",
    config: {
      gpuTaintKey: {
        type: "string",
        default: "nvidia.com/gpu",
        description: "Taint key on GPU nodes.",
      },
    },
    checkPod: (spec, config) => {
      const out: string[] = [];
      let usesGpu = false;
      for (const c of asArray<any>(spec.containers)) {
        const lim = get(c.resources, "limits")?.["nvidia.com/gpu"];
        const req = get(c.resources, "requests")?.["nvidia.com/gpu"];
        if (lim === undefined && req === undefined) continue;
        usesGpu = true;
        if (lim === undefined) out.push(`${c.name}: requests GPUs without a limit.`);
        else if (req !== undefined && String(req) !== String(lim))
          out.push(`${c.name}: GPU request ${req} != limit ${lim}.`);
      }
      if (
        usesGpu &&
        !asArray<any>(spec.tolerations).some(
          (t) => t.key === config.gpuTaintKey || (t.operator === "Exists" && !t.key),
        )
      ) {
        out.push(
          `the pod does not tolerate the ${config.gpuTaintKey} taint, so it can never land on a GPU node.`,
        );
      }
      return out;
    },
  }),
  podRule({
    name: "k8s-pod-pinned-images",
    description: "Images must be pinned to a version tag or digest, never latest or untagged.",
    severity: "medium",
    tags: ["kubernetes", "supply-chain"],
    remediationSteps: "Use repo/image:1.2.3 or repo/image@sha256:<digest>.",
    checkPod: (spec) =>
      containersOf(spec)
        .filter((c) => {
          const img = String(c.image ?? "");
          if (img.includes("@sha256:")) return false;
          const tag = img.split("/").pop()!.split(":")[1];
          return !tag || tag === "latest";
        })
        .map((c) => `${c.name}: image ${c.image} is not pinned.`),
  }),
  podRule({
    name: "k8s-server-probes",
    description: "Long-running servers must have readiness and liveness probes.",
    severity: "medium",
    types: SERVERS,
    tags: ["kubernetes", "reliability"],
    remediationSteps: "Add readinessProbe and livenessProbe (httpGet on a health endpoint).",
    checkPod: (spec) =>
      asArray<any>(spec.containers)
        .filter((c) => asArray(c.ports).length > 0)
        .flatMap((c) => [
          ...(c.readinessProbe ? [] : [`${c.name}: no readinessProbe.`]),
          ...(c.livenessProbe ? [] : [`${c.name}: no livenessProbe.`]),
        ]),
  }),
  resourceRule({
    name: "k8s-no-default-namespace",
    description:
      "Workloads, Services, Secrets and ConfigMaps must not live in the default namespace.",
    severity: "low",
    types: [
      ...WORKLOAD_TYPES,
      SERVICE,
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:ServiceAccount",
    ],
    tags: ["kubernetes", "governance"],
    framework: k8sCis("5.7.4", "The default namespace should not be used"),
    remediationSteps: "Set metadata.namespace to a platform or team namespace.",
    check: (p) => {
      const ns = get(p, "metadata.namespace");
      return ns === undefined || ns === "default"
        ? ["metadata.namespace is default (or unset)."]
        : [];
    },
  }),
  resourceRule<{ allowPublicLoadBalancers: boolean; allowNodePorts: boolean }>({
    name: "k8s-service-not-public",
    description:
      "Services must not be exposed by public LoadBalancers or NodePorts unless the stack allows it.",
    severity: "high",
    types: [SERVICE],
    tags: ["kubernetes", "network", "security"],
    remediationSteps:
      "Use ClusterIP behind an ingress with auth, or mark the LoadBalancer internal.",
    config: {
      allowPublicLoadBalancers: {
        type: "boolean",
        default: false,
        description: "Allow internet-facing LoadBalancers.",
      },
      allowNodePorts: { type: "boolean", default: false, description: "Allow NodePort Services." },
    },
    check: (p, { config }) => {
      const type = get(p, "spec.type") ?? "ClusterIP";
      const ann = get(p, "metadata.annotations") ?? {};
      const internal =
        ann["networking.gke.io/load-balancer-type"] === "Internal" ||
        ann["cloud.google.com/load-balancer-type"] === "Internal" ||
        ann["service.beta.kubernetes.io/aws-load-balancer-scheme"] === "internal" ||
        ann["service.beta.kubernetes.io/aws-load-balancer-internal"] === "true";
      if (type === "LoadBalancer" && !internal && !config.allowPublicLoadBalancers)
        return ["a public LoadBalancer."];
      if (type === "NodePort" && !config.allowNodePorts) return ["a NodePort Service."];
      return [];
    },
  }),
  stackRule<{ requireHighAvailability: boolean; minReplicas: number }>({
    name: "k8s-server-replicas-pdb",
    description:
      "Where high availability is required (prod), servers run at least N replicas and have a PodDisruptionBudget.",
    severity: "medium",
    types: [
      "kubernetes:apps/v1:Deployment",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:policy/v1:PodDisruptionBudget",
    ],
    tags: ["kubernetes", "reliability"],
    remediationSteps:
      "Set spec.replicas >= minReplicas and add a PodDisruptionBudget whose selector matches the pods.",
    config: {
      requireHighAvailability: {
        type: "boolean",
        default: false,
        description: "Enforce replicas and PDBs.",
      },
      minReplicas: { type: "integer", default: 2, minimum: 1, description: "Fewest replicas." },
    },
    check: (resources, config) => {
      if (!config.requireHighAvailability) return [];
      const pdbs = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget");
      const out: { message: string; urn: string }[] = [];
      for (const r of resources.filter(
        (x) =>
          x.type === "kubernetes:apps/v1:Deployment" || x.type === "kubernetes:apps/v1:StatefulSet",
      )) {
        const p = r.props as Record<string, any>;
        const replicas = get(p, "spec.replicas") ?? 1;
        if (replicas < config.minReplicas)
          out.push({
            message: `${r.name}: ${replicas} replica(s) < ${config.minReplicas}.`,
            urn: r.urn,
          });
        const labels = get(p, "spec.template.metadata.labels") ?? {};
        const ns = get(p, "metadata.namespace");
        const covered = pdbs.some((pdb) => {
          const pp = pdb.props as Record<string, any>;
          const sel = get(pp, "spec.selector.matchLabels") ?? {};
          return (
            get(pp, "metadata.namespace") === ns &&
            Object.keys(sel).length > 0 &&
            Object.entries(sel).every(([k, v]) => labels[k] === v)
          );
        });
        if (!covered)
          out.push({ message: `${r.name}: no PodDisruptionBudget selects its pods.`, urn: r.urn });
      }
      return out;
    },
  }),
  resourceRule({
    name: "k8s-storageclass-encrypted",
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
