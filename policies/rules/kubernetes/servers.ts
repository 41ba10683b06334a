/** Long-running servers and their exposure: probes, namespaces, Services, replicas and PDBs. */
import { k8sCis } from "../../lib/frameworks";
import { asArray, get, resourceRule, stackRule, type Rule } from "../../lib/rule";
import { WORKLOAD_TYPES, SERVER_TYPES, K8S_SERVICE } from "../types";
import { podRule } from "./podRule";

export const serverRules: Rule[] = [
  podRule({
    name: "k8s-server-probes",
    covers: [],
    description: "Long-running servers must have readiness and liveness probes.",
    severity: "medium",
    types: SERVER_TYPES,
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
    covers: ["CKV_K8S_21", "AVD-KSV-0110", "kube-linter:use-namespace"],
    description:
      "Workloads, Services, Secrets and ConfigMaps must not live in the default namespace.",
    severity: "low",
    types: [
      ...WORKLOAD_TYPES,
      K8S_SERVICE,
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:ServiceAccount",
    ],
    tags: ["kubernetes", "governance"],
    framework: k8sCis("5.7.4", "The default namespace should not be used"),
    remediationSteps: "Set metadata.namespace to a platform or team namespace.",
    check: (p, ctx) => {
      const ns = get(p, "metadata.namespace");
      // The built-in `default` ServiceAccount exists in every namespace; configuring it (e.g.
      // automountServiceAccountToken: false, CIS 5.1.5) is not a workload in `default`.
      if (ctx.type === "kubernetes:core/v1:ServiceAccount" && get(p, "metadata.name") === "default")
        return [];
      return ns === undefined || ns === "default"
        ? ["metadata.namespace is default (or unset)."]
        : [];
    },
  }),
  resourceRule<{ allowPublicLoadBalancers: boolean; allowNodePorts: boolean }>({
    name: "k8s-service-not-public",
    covers: ["AVD-KSV-0108"],
    description:
      "Services must not be exposed by public LoadBalancers or NodePorts unless the stack allows it, and never set externalIPs (CVE-2020-8554).",
    severity: "high",
    types: [K8S_SERVICE],
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
      const out: string[] = [];
      // externalIPs let any Service author intercept traffic to those addresses (CVE-2020-8554).
      if (asArray(get(p, "spec.externalIPs")).length > 0) out.push("sets spec.externalIPs.");
      if (type === "LoadBalancer" && !internal && !config.allowPublicLoadBalancers)
        out.push("a public LoadBalancer.");
      if (type === "NodePort" && !config.allowNodePorts) out.push("a NodePort Service.");
      return out;
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
      "kubernetes:argoproj.io/v1alpha1:Rollout",
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
          x.type === "kubernetes:apps/v1:Deployment" ||
          x.type === "kubernetes:apps/v1:StatefulSet" ||
          x.type === "kubernetes:argoproj.io/v1alpha1:Rollout",
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
];
