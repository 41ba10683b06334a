/**
 * Pod hardening beyond the restricted security context, as kube-linter, Polaris and
 * kubescape check it, plus namespace and disruption-budget hygiene.
 */
import { k8sCis } from "../../lib/frameworks";
import { asArray, cis, get, resourceRule, stackRule, type Rule } from "../../lib/rule";
import { K8S_NAMESPACE, K8S_NETWORK_POLICY, K8S_PDB, WORKLOAD_TYPES } from "../types";
import { containersOf, podRule } from "./podRule";

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
    ],
    description:
      "Pods must not bind host ports, unmask /proc, set unsafe sysctls, custom SELinux options or Windows HostProcess, run as user 0 or group 0 (primary, supplementary or fsGroup), or mount volume types beyond the core ones (Pod Security Standards baseline/restricted; kubescape C-0013).",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: cis(
      "Pod Security Standards",
      "v1.34",
      "baseline: HostPorts, /proc Mount Type, Sysctls",
      "Pods must not use host ports, Unmasked procMount or unsafe sysctls",
    ),
    remediationSteps:
      "Drop hostPort (use a Service), procMount: Unmasked and unsafe sysctls; set runAsGroup to a non-zero group.",
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
      for (const c of containersOf(spec)) {
        for (const p of asArray<any>(c.ports))
          if (p.hostPort) out.push(`${c.name}: binds hostPort ${p.hostPort}.`);
        const sc = c.securityContext ?? {};
        if (sc.procMount === "Unmasked") out.push(`${c.name}: procMount is Unmasked.`);
        if (sc.runAsGroup === 0) out.push(`${c.name}: runAsGroup is 0 (root group).`);
      }
      return out;
    },
  }),
  podRule<{ requireReadOnlyRootFilesystem: boolean }>({
    name: "k8s-pod-read-only-root",
    covers: ["CKV_K8S_22", "AVD-KSV-0014", "kube-linter:no-read-only-root-fs"],
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
    name: "k8s-no-naked-pods",
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
    covers: ["kube-linter:pdb-max-unavailable", "kube-linter:pdb-unhealthy-pod-eviction-policy"],
    description:
      "PodDisruptionBudgets must allow at least one disruption (maxUnavailable: 0 blocks node drains and upgrades forever) and say how unready pods are evicted (unhealthyPodEvictionPolicy; AlwaysAllow keeps a crash-looping pod from blocking a drain).",
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
    description:
      "Every namespace that runs a workload of this stack must have a NetworkPolicy in the stack (CIS 5.3.2), so traffic to its pods is allowed on purpose.",
    severity: "medium",
    types: [...WORKLOAD_TYPES, K8S_NETWORK_POLICY],
    tags: ["kubernetes", "network", "security"],
    framework: k8sCis("5.3.2", "Ensure that all Namespaces have Network Policies defined"),
    remediationSteps:
      "Add a NetworkPolicy to the namespace (default deny, then the ingress its servers need).",
    check: (resources) => {
      const nsOf = (r: { props: Record<string, any> }) =>
        String(get(r.props, "metadata.namespace") ?? "default");
      const covered = new Set(resources.filter((r) => r.type === K8S_NETWORK_POLICY).map(nsOf));
      const seen = new Set<string>();
      return resources
        .filter((r) => WORKLOAD_TYPES.includes(r.type))
        .filter(
          (r) => !covered.has(nsOf(r)) && !seen.has(nsOf(r)) && seen.add(nsOf(r)) !== undefined,
        )
        .map((r) => ({
          message: `namespace ${nsOf(r)} runs ${r.name} with no NetworkPolicy.`,
          urn: r.urn,
        }));
    },
  }),
];

/** Key names and `name = value` lines that hold credentials (trivy KSV-0109's own patterns). */
const SECRET_KEY =
  /(password|passwd|passwrd|pswrd|pword|passphrase|secret|token|pwd|aws_access_key_id)/i;
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
  resourceRule({
    name: "k8s-configmap-no-secrets",
    covers: ["AVD-KSV-0109"],
    description:
      "ConfigMaps must not hold credentials (keys or `name = value` lines naming passwords, secrets or tokens): anyone who may read ConfigMaps reads them. Use a Secret and secretKeyRef.",
    severity: "high",
    types: ["kubernetes:core/v1:ConfigMap"],
    tags: ["kubernetes", "secrets"],
    remediationSteps:
      "Move the value to a Kubernetes Secret and reference it with secretKeyRef or a secret volume.",
    check: (p) =>
      Object.entries({ ...(p.data ?? {}), ...(p.binaryData ?? {}) }).flatMap(([k, v]) =>
        SECRET_KEY.test(k)
          ? [`key ${k} names a credential.`]
          : typeof v === "string" && holdsCredential(v)
            ? [`key ${k} holds a credential-like line.`]
            : [],
      ),
  }),
];
