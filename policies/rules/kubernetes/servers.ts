/** Long-running servers and their exposure: probes, namespaces, Services, replicas and PDBs. */
import { k8sCis } from "../../lib/frameworks";
import { asArray, get, resourceRule, stackRule, type Rule } from "../../lib/rule";
import { selects } from "../../lib/selector";
import {
  WORKLOAD_TYPES,
  SERVER_TYPES,
  K8S_HPA,
  K8S_INGRESS,
  K8S_NETWORK_POLICY,
  K8S_PDB,
  K8S_SERVICE,
} from "../types";
import { containersOf, podLabelsOf, podRule } from "./podRule";

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
    covers: [
      "CKV_K8S_21",
      "AVD-KSV-0110",
      "kube-linter:use-namespace",
      "kubescape:C-0061",
      "kubescape:C-0212",
    ],
    description:
      "Namespaced objects (workloads, Services, Secrets, ConfigMaps, ServiceAccounts, RBAC, networking, autoscaling and storage claims) must not live in the default namespace, where RBAC and policies are hardest to scope (CIS 5.7.4).",
    severity: "low",
    types: [
      ...WORKLOAD_TYPES,
      K8S_SERVICE,
      K8S_INGRESS,
      K8S_HPA,
      K8S_PDB,
      K8S_NETWORK_POLICY,
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:core/v1:Endpoints",
      "kubernetes:core/v1:PersistentVolumeClaim",
      "kubernetes:core/v1:PodTemplate",
      "kubernetes:discovery.k8s.io/v1:EndpointSlice",
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      "kubernetes:coordination.k8s.io/v1:Lease",
      "kubernetes:storage.k8s.io/v1:CSIStorageCapacity",
      "kubernetes:storage.k8s.io/v1beta1:CSIStorageCapacity",
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
    covers: [
      "AVD-KSV-0108",
      "kube-linter:exposed-services",
      "compliance-policies:kubernetes-core-v1-service-disallow-load-balancer",
      "kubescape:C-0021",
      "kubescape:C-0256",
    ],
    description:
      "Services must not be exposed by public LoadBalancers or NodePorts, nor Ingresses by a public load balancer, unless the stack allows it, and never set externalIPs (CVE-2020-8554). An internal LoadBalancer or Ingress, which reaches only the VPC, is accepted (kube-linter's exposed-services flags every LoadBalancer). An Ingress counts as public unless its controller is told otherwise: AWS Load Balancer Controller ALBs are internal unless scheme internet-facing, GKE's gce-internal class is internal, and any other class is served by its controller's public address.",
    severity: "high",
    types: [K8S_SERVICE, K8S_INGRESS],
    tags: ["kubernetes", "network", "security"],
    remediationSteps:
      "Use ClusterIP behind an ingress with auth, or mark the LoadBalancer internal.",
    config: {
      allowPublicLoadBalancers: {
        type: "boolean",
        default: false,
        description: "Allow internet-facing LoadBalancers and Ingresses.",
      },
      allowNodePorts: { type: "boolean", default: false, description: "Allow NodePort Services." },
    },
    check: (p, { config, type: resourceType }) => {
      const ann = get(p, "metadata.annotations") ?? {};
      if (resourceType === K8S_INGRESS) {
        const cls = get(p, "spec.ingressClassName") ?? ann["kubernetes.io/ingress.class"];
        // aws-load-balancer-controller: alb.ingress.kubernetes.io/scheme defaults to internal.
        const internal =
          cls === "alb"
            ? ann["alb.ingress.kubernetes.io/scheme"] !== "internet-facing"
            : cls === "gce-internal";
        return internal || config.allowPublicLoadBalancers
          ? []
          : [`an Ingress${cls ? ` of class ${cls}` : ""} served by a public load balancer.`];
      }
      const type = get(p, "spec.type") ?? "ClusterIP";
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
  stackRule({
    name: "k8s-pdb-min-below-replicas",
    covers: ["kube-linter:pdb-min-available", "polaris:pdbMinAvailableGreaterThanHPAMinReplicas"],
    description:
      "A PodDisruptionBudget's minAvailable (a number, or a percentage rounded up) must be below the replicas of every server it selects, counting an autoscaled server at its HorizontalPodAutoscaler's minReplicas: at or above that, no pod may be evicted and node drains hang.",
    severity: "medium",
    types: [...SERVER_TYPES, K8S_PDB, K8S_HPA],
    tags: ["kubernetes", "reliability"],
    remediationSteps:
      "Lower minAvailable below the replicas (the HPA's minReplicas when one scales the server), or use maxUnavailable: 1.",
    check: (resources) => {
      const out: { message: string; urn: string }[] = [];
      const hpas = resources.filter((r) => r.type === K8S_HPA);
      for (const pdb of resources.filter((r) => r.type === K8S_PDB)) {
        const pp = pdb.props as Record<string, any>;
        const min = get(pp, "spec.minAvailable");
        if (min === undefined) continue;
        for (const r of resources.filter((x) => SERVER_TYPES.includes(x.type))) {
          const p = r.props as Record<string, any>;
          const ns = get(p, "metadata.namespace");
          if (ns !== get(pp, "metadata.namespace")) continue;
          if (!selects(get(pp, "spec.selector"), podLabelsOf(r.type, p))) continue;
          // An autoscaled server can shrink to the HPA's floor (minReplicas, default 1).
          const hpa = hpas.find(
            (h) =>
              get(h.props, "metadata.namespace") === ns &&
              get(h.props, "spec.scaleTargetRef.kind") === r.type.split(":").pop() &&
              get(h.props, "spec.scaleTargetRef.name") === get(p, "metadata.name"),
          );
          const replicas = Number(
            hpa ? (get(hpa.props, "spec.minReplicas") ?? 1) : (get(p, "spec.replicas") ?? 1),
          );
          // A percentage minAvailable is rounded up (Kubernetes' disruption controller).
          const pct = /^(\d+)%$/.exec(String(min));
          const needed = pct ? Math.ceil((Number(pct[1]) * replicas) / 100) : Number(min);
          if (Number.isNaN(needed)) continue;
          if (needed >= replicas)
            out.push({
              message: `${pdb.name}: minAvailable ${min} asks for ${needed} of ${r.name}'s ${replicas} replica(s)${hpa ? ` (the floor of ${hpa.name})` : ""}: no pod can be evicted.`,
              urn: pdb.urn,
            });
        }
      }
      return out;
    },
  }),
  stackRule<{ requireHighAvailability: boolean; minReplicas: number }>({
    name: "k8s-server-replicas-pdb",
    covers: [
      "kube-linter:no-anti-affinity",
      "kube-linter:no-rolling-update-strategy",
      "polaris:deploymentMissingReplicas",
      "polaris:missingPodDisruptionBudget",
      "polaris:topologySpreadConstraint",
      "kubescape:C-0305",
    ],
    description:
      "Where high availability is required (prod), servers run at least N replicas spread over nodes (pod anti-affinity or topology spread constraints; kube-linter accepts only anti-affinity), roll out gradually (no Recreate strategy), and have a PodDisruptionBudget.",
    severity: "medium",
    types: [...SERVER_TYPES, K8S_PDB],
    tags: ["kubernetes", "reliability"],
    remediationSteps:
      "Set spec.replicas >= minReplicas, spread the pods (topologySpreadConstraints on kubernetes.io/hostname, or preferred pod anti-affinity), keep the RollingUpdate strategy, and add a PodDisruptionBudget whose selector matches the pods.",
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
        const podSpec = get(p, "spec.template.spec") ?? {};
        if (
          replicas > 1 &&
          !get(podSpec, "affinity.podAntiAffinity") &&
          asArray(podSpec.topologySpreadConstraints).length === 0
        )
          out.push({
            message: `${r.name}: ${replicas} replicas with no pod anti-affinity or topology spread: one node can hold them all.`,
            urn: r.urn,
          });
        // Deployment: strategy.type; StatefulSet: updateStrategy.type (OnDelete waits for a hand).
        const strategy = get(p, "spec.strategy.type") ?? get(p, "spec.updateStrategy.type");
        if (strategy === "Recreate" || strategy === "OnDelete")
          out.push({
            message: `${r.name}: update strategy ${strategy} does not roll replicas one by one.`,
            urn: r.urn,
          });
        const labels = podLabelsOf(r.type, p);
        const ns = get(p, "metadata.namespace");
        const covered = pdbs.some((pdb) => {
          const pp = pdb.props as Record<string, any>;
          return get(pp, "metadata.namespace") === ns && selects(get(pp, "spec.selector"), labels);
        });
        if (!covered)
          out.push({ message: `${r.name}: no PodDisruptionBudget selects its pods.`, urn: r.urn });
      }
      return out;
    },
  }),
];

/**
 * A port name Kubernetes accepts (IsValidPortName, k8s.io/apimachinery validation): an IANA
 * service name, at most 15 lowercase letters, digits and single inner hyphens, one letter at least.
 */
export const isPortName = (n: string) =>
  n.length <= 15 &&
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(n) &&
  !n.includes("--") &&
  /[a-z]/.test(n);

/** Wiring mistakes that leave a workload broken or half-working without failing the apply. */
export const wiringRules: Rule[] = [
  podRule({
    name: "k8s-workload-wiring",
    covers: [
      "kube-linter:mismatching-selector",
      "kube-linter:duplicate-env-var",
      "kube-linter:liveness-port",
      "kube-linter:readiness-port",
      "kube-linter:startup-port",
      "kube-linter:deprecated-service-account-field",
      "kube-linter:ssh-port",
      "kube-linter:invalid-target-ports",
      "kubescape:C-0042",
      "kubescape:C-0294",
      "kubescape:C-0295",
      "kubescape:C-0296",
    ],
    description:
      "Workloads must be wired as they read: the selector matches the pod labels, env names are unique per container, port names are valid IANA service names (what Services and probes refer to), probes name ports the container declares, spec.serviceAccountName (not the deprecated serviceAccount) names the account, and no container serves SSH (22).",
    severity: "medium",
    tags: ["kubernetes", "reliability"],
    remediationSteps:
      "Make spec.selector.matchLabels a subset of the template's labels; remove duplicate env entries; declare the probe's named port; use serviceAccountName; reach pods with kubectl exec, not SSH.",
    checkPod: (spec, _config, type, p) => {
      const out: string[] = [];
      // A bare Pod has no selector, and a CronJob's Jobs get theirs from the API server.
      if (type !== "kubernetes:core/v1:Pod" && !type.endsWith(":CronJob")) {
        const labels = podLabelsOf(type, p);
        // A ReplicationController's selector is the label map itself.
        const matchLabels: Record<string, string> =
          (type.endsWith(":ReplicationController")
            ? get(p, "spec.selector")
            : get(p, "spec.selector.matchLabels")) ?? {};
        for (const [k, v] of Object.entries(matchLabels))
          if (labels[k] !== v) out.push(`selector ${k}=${v} does not match the pod labels.`);
        // matchExpressions too, evaluated as the API server does (policies/lib/selector.ts).
        const matchExpressions = get(p, "spec.selector.matchExpressions");
        if (asArray(matchExpressions).length > 0 && !selects({ matchExpressions }, labels))
          out.push("selector matchExpressions do not match the pod labels.");
      }
      if (spec.serviceAccount && spec.serviceAccount !== spec.serviceAccountName)
        out.push("uses the deprecated spec.serviceAccount; set serviceAccountName.");
      for (const c of containersOf(spec)) {
        const names = asArray<any>(c.env).map((e) => e.name);
        for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
          out.push(`${c.name}: env ${n} is set more than once.`);
        const ports = asArray<any>(c.ports);
        const declared = new Set(ports.map((x) => x.name).filter(Boolean));
        for (const n of declared)
          if (!isPortName(String(n)))
            out.push(`${c.name}: port name ${n} is not a valid IANA service name.`);
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
          const port = get(c, `${probe}.httpGet.port`) ?? get(c, `${probe}.tcpSocket.port`);
          if (typeof port === "string" && !/^\d+$/.test(port) && !declared.has(port))
            out.push(
              `${c.name}: ${probe} uses port ${port}, which the container does not declare.`,
            );
        }
        if (ports.some((x) => Number(x.containerPort) === 22))
          out.push(`${c.name}: serves port 22 (SSH).`);
      }
      return out;
    },
  }),
  resourceRule({
    name: "k8s-service-target-ports",
    covers: ["kube-linter:invalid-target-ports", "kubescape:C-0042"],
    description:
      "A Service's targetPort, when it names a port, must be a valid IANA service name (what a container port can be called); a number must be a valid port; and no Service forwards SSH (port or targetPort 22 or 2222, kubescape's SSH ports).",
    severity: "medium",
    types: [K8S_SERVICE],
    tags: ["kubernetes", "reliability"],
    remediationSteps:
      "Name the container port with at most 15 lowercase letters, digits and hyphens, and use that name (or the number) as targetPort; remove SSH ports.",
    check: (p) =>
      asArray<any>(get(p, "spec.ports")).flatMap((port) => {
        const t = port.targetPort;
        if ([port.port, t].some((x) => [22, 2222].includes(Number(x))))
          return [`port ${port.port} forwards SSH; reach pods with kubectl exec.`];
        if (t === undefined) return [];
        if (typeof t === "number" || /^\d+$/.test(String(t)))
          return Number(t) >= 1 && Number(t) <= 65535
            ? []
            : [`targetPort ${t} is not a port number.`];
        return isPortName(String(t)) ? [] : [`targetPort ${t} is not a valid port name.`];
      }),
  }),
];
