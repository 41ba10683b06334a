/**
 * Pod hardening beyond the restricted security context, as kube-linter, Polaris and
 * kubescape check it, plus namespace and disruption-budget hygiene.
 */
import { k8sCis } from "../../lib/frameworks";
import { asArray, cis, get, resourceRule, stackRule, type Rule } from "../../lib/rule";
import {
  K8S_INGRESS,
  K8S_NAMESPACE,
  K8S_NETWORK_POLICY,
  K8S_PDB,
  K8S_SERVICE,
  K8S_SERVICE_ACCOUNT,
  RBAC_BINDINGS,
  WORKLOAD_TYPES,
} from "../types";
import { containersOf, podLabelsOf, podRule, podSpecOf } from "./podRule";
import { selects } from "../../lib/selector";

/** Sysctls the Pod Security Standards' baseline profile allows (kubernetes.io/docs/concepts/security/pod-security-standards). */
export const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];

const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"];

/** SELinux types Pod Security baseline accepts (empty is allowed too). */
const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
/** Volume types Pod Security restricted accepts. */
const CORE_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/**
 * A Job its deployer deletes: an Argo CD resource hook or a Helm hook with a deletion policy
 * (argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/#hook-deletion-policies).
 */
const deletedAsHook = (p: Record<string, any>) => {
  const ann = get(p, "metadata.annotations") ?? {};
  return !!(ann["argocd.argoproj.io/hook-delete-policy"] || ann["helm.sh/hook-delete-policy"]);
};

export const hardeningRules: Rule[] = [
  podRule({
    name: "k8s-pod-baseline-extras",
    covers: [
      "CKV_K8S_26",
      "AVD-KSV-0024",
      "AVD-KSV-0026",
      "AVD-KSV-0027",
      "kube-linter:unsafe-sysctls",
      "kube-linter:unsafe-proc-mount",
      "AVD-KSV-0025",
      "AVD-KSV-0028",
      "AVD-KSV-0103",
      "AVD-KSV-0105",
      "AVD-KSV-0116",
      "AVD-KSV-0007",
      "CKV_K8S_159",
      "polaris:hostPortSet",
      "polaris:hostProcess",
      "polaris:procMount",
      "kubescape:C-0044",
    ],
    description:
      "Pods must not bind host ports, unmask /proc, set unsafe sysctls, custom SELinux options or Windows HostProcess, run as user 0 or group 0 (primary, supplementary or fsGroup), mount volume types beyond the core ones (Pod Security Standards baseline/restricted; kubescape C-0013), rewrite /etc/hosts (hostAliases: name resolution the cluster's DNS and NetworkPolicies do not see), or set git-sync's GITSYNC_GIT (the binary git-sync runs: command injection, Akamai 2024).",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: cis(
      "Pod Security Standards",
      "v1.34",
      "baseline: HostPorts, /proc Mount Type, Sysctls",
      "Pods must not use host ports, Unmasked procMount or unsafe sysctls",
    ),
    remediationSteps:
      "Drop hostPort (use a Service), procMount: Unmasked, unsafe sysctls, hostAliases (use DNS) and GITSYNC_GIT; set runAsGroup to a non-zero group.",
    checkPod: (spec) => {
      const out: string[] = [];
      const pod = spec.securityContext ?? {};
      for (const s of asArray<any>(pod.sysctls))
        if (!SAFE_SYSCTLS.includes(s.name)) out.push(`sysctl ${s.name} is not in the safe set.`);
      if (pod.runAsGroup === 0) out.push("pod securityContext.runAsGroup is 0 (root group).");
      if (pod.fsGroup === 0) out.push("pod securityContext.fsGroup is 0 (root group).");
      if (asArray<number>(pod.supplementalGroups).includes(0))
        out.push("pod securityContext.supplementalGroups includes 0 (root group).");
      // Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards):
      // baseline SELinux types and HostProcess; restricted non-root user and volume types.
      const contexts: [string, any][] = [
        ["pod", pod],
        ...containersOf(spec).map((c): [string, any] => [c.name, c.securityContext ?? {}]),
      ];
      for (const [who, sc] of contexts) {
        const se = sc.seLinuxOptions ?? {};
        if (se.type && !SELINUX_TYPES.includes(se.type))
          out.push(`${who}: seLinuxOptions.type ${se.type} is not a container type.`);
        if (se.user || se.role) out.push(`${who}: seLinuxOptions sets a user or role.`);
        if (get(sc, "windowsOptions.hostProcess") === true)
          out.push(`${who}: runs as a Windows HostProcess.`);
        if (sc.runAsUser === 0) out.push(`${who}: runAsUser is 0 (root).`);
      }
      for (const v of asArray<any>(spec.volumes)) {
        const kind = Object.keys(v).find((k) => k !== "name");
        // hostPath has its own rule (k8s-pod-no-hostpath).
        if (kind && kind !== "hostPath" && !CORE_VOLUME_TYPES.includes(kind))
          out.push(`volume ${v.name} is a ${kind} volume, not a core type.`);
      }
      if (asArray(spec.hostAliases).length > 0)
        out.push("hostAliases rewrites the pods' /etc/hosts.");
      for (const c of containersOf(spec)) {
        for (const p of asArray<any>(c.ports))
          if (p.hostPort) out.push(`${c.name}: binds hostPort ${p.hostPort}.`);
        if (asArray<any>(c.env).some((e) => e.name === "GITSYNC_GIT"))
          out.push(`${c.name}: sets GITSYNC_GIT, the binary git-sync runs.`);
        const sc = c.securityContext ?? {};
        // Pod Security baseline allows procMount undefined or Default only.
        if (sc.procMount !== undefined && sc.procMount !== "Default")
          out.push(`${c.name}: procMount is ${sc.procMount}, not Default.`);
        if (sc.runAsGroup === 0) out.push(`${c.name}: runAsGroup is 0 (root group).`);
      }
      return out;
    },
  }),
  podRule<{ requireReadOnlyRootFilesystem: boolean }>({
    name: "k8s-pod-read-only-root",
    covers: [
      "CKV_K8S_22",
      "AVD-KSV-0014",
      "kube-linter:no-read-only-root-fs",
      "compliance-policies:kubernetes-apps-v1-daemonset-enable-read-only-root-filesystem",
      "compliance-policies:kubernetes-apps-v1-deployment-enable-read-only-root-filesystem",
      "compliance-policies:kubernetes-apps-v1-replicaset-enable-read-only-root-filesystem",
      "compliance-policies:kubernetes-apps-v1-statefulset-enable-read-only-root-filesystem",
      "compliance-policies:kubernetes-batch-v1-cronjob-enable-read-only-root-filesystem",
      "compliance-policies:kubernetes-batch-v1-job-enable-read-only-root-filesystem",
      "polaris:notReadOnlyRootFilesystem",
      "kubescape:C-0017",
      "kubescape:C-0211",
    ],
    description:
      "Containers must run with a read-only root filesystem (writable paths as emptyDir mounts), where the stack requires it.",
    severity: "medium",
    tags: ["kubernetes", "pod-security"],
    framework: cis(
      "kube-linter",
      "0.7",
      "no-read-only-root-fs",
      "Containers should have a read-only root filesystem",
    ),
    remediationSteps:
      "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir where the process writes.",
    config: {
      requireReadOnlyRootFilesystem: {
        type: "boolean",
        default: true,
        description: "Refuse containers without readOnlyRootFilesystem: true.",
      },
    },
    checkPod: (spec, config) =>
      config.requireReadOnlyRootFilesystem
        ? containersOf(spec)
            .filter((c) => get(c, "securityContext.readOnlyRootFilesystem") !== true)
            .map((c) => `${c.name}: readOnlyRootFilesystem is not true.`)
        : [],
  }),
  podRule({
    name: "k8s-pod-service-account-token",
    description:
      "A pod on the namespace's `default` ServiceAccount must not mount its token: give API-using pods their own ServiceAccount, and switch the token off elsewhere.",
    severity: "medium",
    tags: ["kubernetes", "rbac", "pod-security"],
    framework: k8sCis(
      "5.1.6",
      "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    remediationSteps:
      "Set automountServiceAccountToken: false, or serviceAccountName to a dedicated ServiceAccount.",
    checkPod: (spec) => {
      const sa = spec.serviceAccountName ?? spec.serviceAccount ?? "default";
      return sa === "default" && spec.automountServiceAccountToken !== false
        ? ["runs as the default ServiceAccount with its token mounted."]
        : [];
    },
  }),
  resourceRule({
    name: "k8s-default-service-account-inert",
    covers: ["CKV_K8S_41", "CKV_K8S_42", "kubescape:C-0189", "kubescape:C-0225"],
    description:
      "A namespace's `default` ServiceAccount, where the stack declares it, must not mount its token (automountServiceAccountToken: false), and no binding may grant it a role: every pod without a ServiceAccount of its own runs as it (CIS 5.1.5).",
    severity: "medium",
    types: [K8S_SERVICE_ACCOUNT, ...RBAC_BINDINGS],
    tags: ["kubernetes", "rbac"],
    framework: k8sCis("5.1.5", "Ensure that default service accounts are not actively used"),
    remediationSteps:
      "Set automountServiceAccountToken: false on the default ServiceAccount; bind roles to a dedicated ServiceAccount instead.",
    check: (p, { type }) =>
      type === K8S_SERVICE_ACCOUNT
        ? get(p, "metadata.name") === "default" && p.automountServiceAccountToken !== false
          ? ["the default ServiceAccount mounts its token."]
          : []
        : asArray<any>(p.subjects)
            .filter((s) => s.kind === "ServiceAccount" && s.name === "default")
            .map(
              (s) =>
                `grants ${get(p, "roleRef.name")} to the default ServiceAccount${s.namespace ? ` of ${s.namespace}` : ""}.`,
            ),
  }),
  resourceRule({
    name: "k8s-no-kube-system-workloads",
    covers: ["AVD-KSV-0037"],
    description:
      "Workloads and Services must not be placed in kube-system, where the cluster's own components run with broad permissions; cluster add-ons that belong there run at a system-*-critical priority and are exempt.",
    severity: "medium",
    types: [...WORKLOAD_TYPES, K8S_SERVICE],
    tags: ["kubernetes", "isolation"],
    framework: cis(
      "trivy",
      "kubernetes",
      "AVD-KSV-0037",
      "User resources should not be placed in kube-system namespace",
    ),
    remediationSteps: "Deploy into the platform's namespaces (mlflow, models, training...).",
    check: (p, { type }) => {
      if (get(p, "metadata.namespace") !== "kube-system") return [];
      const spec = type === K8S_SERVICE ? undefined : podSpecOf(type, p);
      return /^system-(node|cluster)-critical$/.test(String(spec?.priorityClassName ?? ""))
        ? []
        : ["is placed in kube-system."];
    },
  }),
  resourceRule({
    name: "k8s-job-cleanup",
    covers: ["kube-linter:job-ttl-seconds-after-finished"],
    description:
      "A standalone Job must set ttlSecondsAfterFinished, or its finished pods and their logs stay until someone deletes them (an Argo CD or Helm hook with a deletion policy is deleted by its deployer); a CronJob's Jobs must not, because the CronJob's history limits already prune them and the two race.",
    severity: "low",
    types: ["kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"],
    tags: ["kubernetes", "operations"],
    remediationSteps:
      "Set spec.ttlSecondsAfterFinished on the Job; on a CronJob, drop it from jobTemplate and keep successfulJobsHistoryLimit / failedJobsHistoryLimit.",
    check: (p, { type }) =>
      type === "kubernetes:batch/v1:Job"
        ? get(p, "spec.ttlSecondsAfterFinished") === undefined && !deletedAsHook(p)
          ? ["a standalone Job without ttlSecondsAfterFinished is never cleaned up."]
          : []
        : get(p, "spec.jobTemplate.spec.ttlSecondsAfterFinished") !== undefined
          ? [
              "the CronJob's jobTemplate sets ttlSecondsAfterFinished, which races its history limits.",
            ]
          : [],
  }),
  resourceRule({
    name: "k8s-no-naked-pods",
    covers: ["compliance-policies:kubernetes-core-v1-pod-disallow-pod", "kubescape:C-0073"],
    description:
      "Pods must be owned by a controller (Deployment, Job, Rollout...), which replaces them when a node goes away.",
    severity: "low",
    types: ["kubernetes:core/v1:Pod"],
    tags: ["kubernetes", "reliability"],
    framework: cis("kubescape", "v3", "C-0073", "Naked pods"),
    remediationSteps: "Wrap the pod in a Deployment, Job or Rollout.",
    check: (p) =>
      asArray<any>(get(p, "metadata.ownerReferences")).some((o) => o.controller === true)
        ? []
        : ["a bare Pod has no controller to replace it."],
  }),
  resourceRule({
    name: "k8s-pdb-allows-disruption",
    covers: [
      "kube-linter:pdb-max-unavailable",
      "kube-linter:pdb-unhealthy-pod-eviction-policy",
      "kube-linter:pdb-min-available",
      "compliance-policies:kubernetes-policy-v1-poddisruptionbudget-disallow-zero-voluntary-disruption",
      "polaris:pdbDisruptionsIsZero",
    ],
    description:
      "PodDisruptionBudgets must allow at least one disruption (maxUnavailable: 0 or minAvailable: 100% blocks node drains and upgrades forever) and say how unready pods are evicted (unhealthyPodEvictionPolicy; AlwaysAllow keeps a crash-looping pod from blocking a drain).",
    severity: "medium",
    types: [K8S_PDB],
    tags: ["kubernetes", "reliability"],
    framework: cis(
      "Kubernetes documentation",
      "1.34",
      "Specifying a Disruption Budget",
      "A PDB that allows no disruption blocks voluntary evictions (drains)",
    ),
    remediationSteps: "Use maxUnavailable: 1 (or a minAvailable below the replica count).",
    check: (p) => {
      const m = get(p, "spec.maxUnavailable");
      return [
        ...(m === 0 || m === "0" || m === "0%" ? ["maxUnavailable is 0."] : []),
        // kube-linter pdb-min-available: 100% keeps every pod (k8s-pdb-min-below-replicas
        // compares a number with the replicas of the pods it selects).
        ...(get(p, "spec.minAvailable") === "100%" ? ["minAvailable is 100%."] : []),
        ...(get(p, "spec.unhealthyPodEvictionPolicy")
          ? []
          : [
              "unhealthyPodEvictionPolicy is not set (AlwaysAllow lets drains evict unready pods).",
            ]),
      ];
    },
  }),
  resourceRule<{ minimumLevel: string; privilegedNamespaces: string[] }>({
    name: "k8s-namespace-pod-security",
    covers: [
      "kubescape:C-0192",
      "kubescape:C-0193",
      "kubescape:C-0194",
      "kubescape:C-0195",
      "kubescape:C-0196",
      "kubescape:C-0197",
      "kubescape:C-0198",
      "kubescape:C-0199",
      "kubescape:C-0200",
      "kubescape:C-0201",
      "kubescape:C-0202",
      "kubescape:C-0203",
      "kubescape:C-0204",
    ],
    description:
      "Namespaces must enforce a Pod Security level (label pod-security.kubernetes.io/enforce) at least the configured one.",
    severity: "high",
    types: [K8S_NAMESPACE],
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis(
      "5.2.1",
      "Ensure that the cluster has at least one active policy control mechanism in place",
    ),
    remediationSteps:
      "Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline where a system agent needs it).",
    config: {
      minimumLevel: {
        type: "string",
        default: "baseline",
        description: "Weakest enforce level accepted: privileged, baseline or restricted.",
      },
      privilegedNamespaces: {
        type: "array",
        items: { type: "string" },
        default: ["monitoring"],
        description:
          "Namespaces allowed to be privileged, each for a host agent: monitoring runs node-exporter (host network and paths).",
      },
    },
    check: (p, { config }) => {
      const level = get(p, "metadata.labels")?.["pod-security.kubernetes.io/enforce"];
      if (!level) return ["no pod-security.kubernetes.io/enforce label."];
      if (level === "privileged" && config.privilegedNamespaces.includes(get(p, "metadata.name")))
        return [];
      return POD_SECURITY_LEVELS.indexOf(level) < POD_SECURITY_LEVELS.indexOf(config.minimumLevel)
        ? [`enforces ${level}, weaker than ${config.minimumLevel}.`]
        : [];
    },
  }),
  stackRule({
    name: "k8s-namespace-network-policy",
    covers: [
      "kube-linter:non-isolated-pod",
      "kubescape:C-0049",
      "kubescape:C-0054",
      "kubescape:C-0206",
      "kubescape:C-0260",
    ],
    description:
      "Every workload of this stack must be selected by a NetworkPolicy of its namespace in the stack (CIS 5.3.2), so traffic to its pods is allowed on purpose.",
    severity: "medium",
    types: [...WORKLOAD_TYPES, K8S_NETWORK_POLICY],
    tags: ["kubernetes", "network", "security"],
    framework: k8sCis("5.3.2", "Ensure that all Namespaces have Network Policies defined"),
    remediationSteps:
      "Add a NetworkPolicy to the namespace (default deny, then the ingress its servers need).",
    check: (resources) => {
      const nsOf = (r: { props: Record<string, any> }) =>
        String(get(r.props, "metadata.namespace") ?? "default");
      const policies = resources.filter((r) => r.type === K8S_NETWORK_POLICY);
      const out: { message: string; urn: string }[] = [];
      const bareNamespaces = new Set<string>();
      for (const r of resources.filter((x) => WORKLOAD_TYPES.includes(x.type))) {
        const ns = nsOf(r);
        const mine = policies.filter((np) => nsOf(np) === ns);
        if (mine.length === 0) {
          // one finding per namespace without any policy
          if (!bareNamespaces.has(ns)) {
            bareNamespaces.add(ns);
            out.push({
              message: `namespace ${ns} runs ${r.name} with no NetworkPolicy.`,
              urn: r.urn,
            });
          }
          continue;
        }
        if (
          !mine.some((np) =>
            selects(get(np.props, "spec.podSelector"), podLabelsOf(r.type, r.props)),
          )
        )
          out.push({
            message: `no NetworkPolicy selects the pods of ${r.name} (namespace ${ns}).`,
            urn: r.urn,
          });
      }
      return out;
    },
  }),
];

/**
 * API versions the Kubernetes releases the platform runs (1.30 and later) no longer serve, with
 * the release that removed them and the replacement (kubernetes.io/docs/reference/using-api/
 * deprecation-guide). An object of one of these types cannot be applied.
 */
export const REMOVED_APIS: {
  groupVersion: string;
  kinds: string[];
  removedIn: string;
  use: string;
}[] = [
  {
    groupVersion: "extensions/v1beta1",
    kinds: [
      "Deployment",
      "DaemonSet",
      "ReplicaSet",
      "Ingress",
      "NetworkPolicy",
      "PodSecurityPolicy",
    ],
    removedIn: "1.16/1.22",
    use: "apps/v1, networking.k8s.io/v1",
  },
  {
    groupVersion: "apps/v1beta1",
    kinds: ["Deployment", "StatefulSet"],
    removedIn: "1.16",
    use: "apps/v1",
  },
  {
    groupVersion: "apps/v1beta2",
    kinds: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
    removedIn: "1.16",
    use: "apps/v1",
  },
  { groupVersion: "batch/v1beta1", kinds: ["CronJob"], removedIn: "1.25", use: "batch/v1" },
  {
    groupVersion: "policy/v1beta1",
    kinds: ["PodDisruptionBudget", "PodSecurityPolicy"],
    removedIn: "1.25",
    use: "policy/v1; Pod Security admission labels",
  },
  {
    groupVersion: "networking.k8s.io/v1beta1",
    kinds: ["Ingress", "IngressClass"],
    removedIn: "1.22",
    use: "networking.k8s.io/v1",
  },
  {
    groupVersion: "rbac.authorization.k8s.io/v1beta1",
    kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    removedIn: "1.22",
    use: "rbac.authorization.k8s.io/v1",
  },
  {
    groupVersion: "autoscaling/v2beta1",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: "1.25",
    use: "autoscaling/v2",
  },
  {
    groupVersion: "autoscaling/v2beta2",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: "1.26",
    use: "autoscaling/v2",
  },
  {
    groupVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    removedIn: "1.22",
    use: "admissionregistration.k8s.io/v1",
  },
  {
    groupVersion: "apiextensions.k8s.io/v1beta1",
    kinds: ["CustomResourceDefinition"],
    removedIn: "1.22",
    use: "apiextensions.k8s.io/v1",
  },
  {
    groupVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment", "CSIStorageCapacity"],
    removedIn: "1.22/1.27",
    use: "storage.k8s.io/v1",
  },
  {
    groupVersion: "flowcontrol.apiserver.k8s.io/v1beta2",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    removedIn: "1.29",
    use: "flowcontrol.apiserver.k8s.io/v1",
  },
  {
    groupVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    removedIn: "1.32",
    use: "flowcontrol.apiserver.k8s.io/v1",
  },
];

/** Every Pulumi type token of a removed API (pulumi-kubernetes names them kubernetes:<gv>:<Kind>). */
const REMOVED_TYPES = REMOVED_APIS.flatMap((a) =>
  a.kinds.map((k) => `kubernetes:${a.groupVersion}:${k}`),
);

/** compliance-policies' disallow-beta policy of each removed type (named by SDK module). */
const REMOVED_POLICY_IDS = REMOVED_APIS.flatMap((a) => {
  const [group, version] = a.groupVersion.split("/");
  return a.kinds.map(
    (k) =>
      `compliance-policies:kubernetes-${group.split(".")[0]}-${version}-${k.toLowerCase()}-disallow-beta-resource`,
  );
});

export const apiRules: Rule[] = [
  resourceRule({
    name: "k8s-ingress-tls",
    covers: ["polaris:tlsSettingsMissing", "kubescape:C-0263"],
    description:
      "An Ingress must terminate TLS for every host it serves (spec.tls), so traffic to models and tools is never plain HTTP.",
    severity: "high",
    types: [K8S_INGRESS],
    tags: ["kubernetes", "network", "encryption"],
    remediationSteps:
      "Add spec.tls with a certificate Secret (cert-manager, or the cloud's managed certificates) listing every host of spec.rules.",
    check: (p) => {
      const tls = asArray<any>(get(p, "spec.tls"));
      if (tls.length === 0) return ["spec.tls is not set: the Ingress serves plain HTTP."];
      const covered = new Set(tls.flatMap((t) => asArray<string>(t.hosts)));
      return asArray<any>(get(p, "spec.rules"))
        .map((r) => r.host)
        .filter((h): h is string => typeof h === "string" && !covered.has(h))
        .map((h) => `host ${h} has no TLS entry.`);
    },
  }),
  resourceRule({
    name: "k8s-no-removed-apis",
    covers: ["AVD-KSV-0107", "kube-linter:no-extensions-v1beta", ...REMOVED_POLICY_IDS],
    description:
      "Objects must use API versions the cluster serves: the beta versions Kubernetes removed by 1.32 (extensions/v1beta1, apps/v1beta*, policy/v1beta1, batch/v1beta1 and others) fail to apply on every cluster the platform creates.",
    severity: "high",
    types: REMOVED_TYPES,
    tags: ["kubernetes", "upgrades"],
    framework: cis(
      "Kubernetes",
      "1.32",
      "Deprecated API Migration Guide",
      "Migrate off API versions removed from the cluster's release",
    ),
    remediationSteps:
      "Use the replacement apiVersion named in the message (kubectl convert helps).",
    check: (_p, { type }) => {
      const gv = type.replace(/^kubernetes:/, "").replace(/:[^:]+$/, "");
      const api = REMOVED_APIS.find((a) => a.groupVersion === gv)!;
      return [`${gv} was removed in Kubernetes ${api.removedIn}: use ${api.use}.`];
    },
  }),
  resourceRule({
    name: "k8s-network-policy-selects",
    covers: ["AVD-KSV-0038"],
    description:
      "A NetworkPolicy must say which pods it governs (spec.podSelector; `{}` selects every pod of its namespace): without it the API server refuses the object.",
    severity: "low",
    types: [K8S_NETWORK_POLICY],
    tags: ["kubernetes", "network"],
    remediationSteps: "Set spec.podSelector ({} for a namespace-wide default deny).",
    check: (p) =>
      get(p, "spec.podSelector") === undefined ? ["spec.podSelector is not set."] : [],
  }),
];

/** Key names and `name = value` lines that hold credentials (trivy KSV-0109's own patterns). */
const SECRET_KEY =
  /(password|passwd|passwrd|pswrd|pword|passphrase|secret|token|pwd|aws_access_key_id|(^|[_-])(api|access|account|batch|private|storage)[_-]?key($|[_-])|key[_-]content$)/i;
/** A PEM private key (RSA, EC, OpenSSH, PKCS#8...) pasted into a value. */
const PRIVATE_KEY = /-{3,}BEGIN [A-Z ]*PRIVATE KEY-{3,}/;
/**
 * Credentials recognisable by their format whatever they are called (kubescape's
 * sensitiveValues, default-config-inputs.json): AWS access key ids, GitHub, Google API and Slack
 * tokens, JWTs, and an Authorization header value. Bare words such as "JWT" are not enough.
 */
const TOKEN_VALUE =
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[0-9A-Za-z]{36}\b|\bgithub_pat_\w{22,}|\bAIza[0-9A-Za-z_-]{35}\b|\bxox[baprs]-[0-9A-Za-z-]{10,}|\beyJhbGciO|^\s*bearer\s+[\w.~+/-]+=*\s*$/i;
/** Environment variables that hold or point at cloud credentials, whatever they are called. */
const CREDENTIAL_ENV =
  /^(AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|GOOGLE_APPLICATION_CREDENTIALS|AZURE_.+KEY|OCI_CLI_KEY_CONTENT)$/i;
const SECRET_LINE =
  /(password|passwd|passwrd|pswrd|pword|passphrase|pass|secret|secretkey|appsecret|clientsecret|token|pwd|aws_access_key_id)\s*(=|:)\s*(.*)$/i;
/** A line assigning a credential a literal value (an empty one or a ${VAR} reference is fine). */
const holdsCredential = (text: string) =>
  text.split("\n").some((line) => {
    const value = SECRET_LINE.exec(line)?.[3]
      ?.trim()
      .replace(/^["']|["']$/g, "");
    return !!value && !/^\$[{(]/.test(value);
  });

export const configMapRules: Rule[] = [
  podRule({
    name: "k8s-env-no-literal-secrets",
    covers: [
      "polaris:sensitiveContainerEnvVar",
      "kube-linter:env-var-secret",
      "kubescape:C-0012",
      "kubescape:C-0259",
    ],
    description:
      "Containers must not carry credentials as literal environment values (a credential-like name with a value, a cloud key variable, a private key, a token recognisable by its format): the value sits in the manifest, the GitOps repository and every describe of the pod. Reference a Secret (valueFrom.secretKeyRef) or use workload identity.",
    severity: "high",
    tags: ["kubernetes", "secrets"],
    remediationSteps:
      "Move the value to a Kubernetes Secret and use valueFrom.secretKeyRef; for cloud access use Workload Identity (GKE) or IRSA (EKS) instead of keys.",
    checkPod: (spec) =>
      containersOf(spec).flatMap((c) =>
        asArray<any>(c.env)
          .filter((e) => typeof e.value === "string" && e.value.trim() !== "")
          .filter(
            (e) =>
              CREDENTIAL_ENV.test(String(e.name)) ||
              PRIVATE_KEY.test(e.value) ||
              TOKEN_VALUE.test(e.value) ||
              (SECRET_KEY.test(String(e.name)) && !/^\$[{(]/.test(e.value.trim())),
          )
          .map((e) => `${c.name}: env ${e.name} carries a credential as a literal value.`),
      ),
  }),
  resourceRule({
    name: "k8s-configmap-no-secrets",
    covers: ["AVD-KSV-0109", "polaris:sensitiveConfigmapContent", "kubescape:C-0012"],
    description:
      "ConfigMaps must not hold credentials (keys or `name = value` lines naming passwords, secrets or tokens, private keys, tokens recognisable by their format): anyone who may read ConfigMaps reads them. Use a Secret and secretKeyRef.",
    severity: "high",
    types: ["kubernetes:core/v1:ConfigMap"],
    tags: ["kubernetes", "secrets"],
    remediationSteps:
      "Move the value to a Kubernetes Secret and reference it with secretKeyRef or a secret volume.",
    check: (p) =>
      Object.entries({ ...(p.data ?? {}), ...(p.binaryData ?? {}) }).flatMap(([k, v]) =>
        SECRET_KEY.test(k)
          ? [`key ${k} names a credential.`]
          : typeof v === "string" && PRIVATE_KEY.test(v)
            ? [`key ${k} holds a private key.`]
            : typeof v === "string" && TOKEN_VALUE.test(v)
              ? [`key ${k} holds a token.`]
              : typeof v === "string" && holdsCredential(v)
                ? [`key ${k} holds a credential-like line.`]
                : [],
      ),
  }),
];
