/** Kubernetes RBAC and Argo CD AppProjects: no cluster-admin grants, no wildcards, no broad subjects. */
import { k8sCis } from "../../lib/frameworks";
import { asArray, cis, get, globRegExp, resourceRule, type Rule } from "../../lib/rule";
import { ARGO_APPPROJECT, RBAC_BINDINGS, RBAC_ROLES } from "../types";

/** Groups every authenticated (or anonymous) caller belongs to. */
const BROAD_GROUPS = [
  "system:authenticated",
  "system:unauthenticated",
  "system:anonymous",
  "system:serviceaccounts",
];

/**
 * Whether a role rule's `resources` entry names a resource as the API server matches it: `*` is
 * every resource and subresource, `pods/*` every subresource of pods, and a `*` resource with a
 * subresource (`*` then `/scale`) that subresource of every resource (Kubernetes RBAC,
 * "Referring to resources").
 */
export function namesResource(pattern: string, resource: string): boolean {
  if (pattern === "*" || pattern === resource) return true;
  const [kind, sub] = resource.split("/");
  if (pattern.endsWith("/*")) return sub !== undefined && pattern.slice(0, -2) === kind;
  return sub !== undefined && pattern === `*/${sub}`;
}

export const rbacRules: Rule[] = [
  resourceRule({
    name: "k8s-rbac-no-cluster-admin",
    covers: [
      "AVD-KSV-0111",
      "AVD-KSV-0123",
      "kube-linter:cluster-admin-role-binding",
      "polaris:clusterrolebindingClusterAdmin",
      "polaris:rolebindingClusterAdminClusterRole",
      "polaris:rolebindingClusterAdminRole",
      "kubescape:C-0035",
      "kubescape:C-0185",
      "kubescape:C-0272",
    ],
    description:
      "No binding may grant the cluster-admin ClusterRole, or bind the system:masters group (which bypasses RBAC altogether), and no role may be cluster-admin by another name (every verb on every resource).",
    severity: "critical",
    types: [...RBAC_BINDINGS, ...RBAC_ROLES],
    tags: ["kubernetes", "rbac", "security"],
    framework: k8sCis("5.1.1", "Ensure that the cluster-admin role is only used where required"),
    remediationSteps: "Bind a role with the verbs and resources the subject needs.",
    check: (p, { type }) => [
      ...(RBAC_ROLES.includes(type)
        ? asArray<any>(p.rules)
            .filter(
              (r) =>
                // `*`, or every verb spelled out
                (asArray<string>(r.verbs).includes("*") ||
                  ["get", "list", "watch", "create", "update", "patch", "delete"].every((v) =>
                    asArray<string>(r.verbs).includes(v),
                  )) &&
                asArray<string>(r.resources).includes("*") &&
                asArray<string>(r.apiGroups ?? [""]).some((g) => g === "*" || g === ""),
            )
            .map(() => "grants every verb on every resource: cluster-admin by another name.")
        : []),
      ...(get(p, "roleRef.name") === "cluster-admin" ? ["binds cluster-admin."] : []),
      ...asArray<any>(p.subjects)
        .filter((s) => s.kind === "Group" && s.name === "system:masters")
        .map(() => "binds the system:masters group."),
    ],
  }),
  resourceRule({
    name: "k8s-rbac-no-wildcards",
    covers: [
      "CKV_K8S_49",
      "AVD-KSV-0044",
      "AVD-KSV-0045",
      "AVD-KSV-0046",
      "AVD-KSV-0112",
      "kube-linter:wildcard-in-rules",
      "kubescape:C-0035",
      "kubescape:C-0187",
      "kubescape:C-0272",
    ],
    description: "Roles must name their verbs and resources: no `*` (CIS 5.1.3).",
    severity: "high",
    types: RBAC_ROLES,
    tags: ["kubernetes", "rbac", "security"],
    framework: k8sCis("5.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    remediationSteps: "List the verbs (get, list, watch...) and resources the role needs.",
    check: (p) =>
      asArray<any>(p.rules).flatMap((r, i) => [
        ...(asArray<string>(r.verbs).includes("*") ? [`rules[${i}] allows every verb.`] : []),
        ...(asArray<string>(r.resources).includes("*")
          ? [`rules[${i}] covers every resource.`]
          : []),
      ]),
  }),
  resourceRule({
    name: "k8s-rbac-no-escalation",
    covers: [
      "CKV_K8S_155",
      "CKV_K8S_156",
      "CKV_K8S_157",
      "CKV_K8S_158",
      "AVD-KSV-0041",
      "AVD-KSV-0043",
      "AVD-KSV-0047",
      "AVD-KSV-0050",
      "AVD-KSV-0053",
      "AVD-KSV-0054",
      "AVD-KSV-0114",
      "AVD-KSV-0051",
      "AVD-KSV-0052",
      "AVD-KSV-0055",
      "AVD-KSV-0042",
      "AVD-KSV-0115",
      "polaris:clusterrolePodExecAttach",
      "polaris:rolePodExecAttach",
      "polaris:clusterrolebindingPodExecAttach",
      "polaris:rolebindingClusterRolePodExecAttach",
      "polaris:rolebindingRolePodExecAttach",
      "kubescape:C-0002",
      "kubescape:C-0031",
      "kubescape:C-0063",
      "kubescape:C-0065",
      "kubescape:C-0191",
      "kubescape:C-0278",
      "kubescape:C-0279",
      "kubescape:C-0280",
      "kubescape:C-0281",
      "kubescape:C-0282",
      "kubescape:C-0267",
    ],
    description:
      "Roles must not grant the permissions that lead to cluster-admin: escalate, bind or impersonate; changing role bindings (adds subjects to roles); changing admission webhooks or EKS's aws-auth ConfigMap; approving certificate requests; the kubelet API through nodes/proxy; exec, attach or port-forward into pods; deleting pod logs or events (erases the trail); creating PersistentVolumes (hostPath) or ServiceAccount tokens; and, cluster-wide, Secrets (Kubernetes RBAC good practices, privilege escalation risks).",
    severity: "high",
    types: RBAC_ROLES,
    tags: ["kubernetes", "rbac", "security"],
    framework: k8sCis("5.1.8", "Limit use of the Bind, Impersonate and Escalate permissions"),
    remediationSteps:
      "Remove the rule, or grant it to a dedicated controller's ServiceAccount only; read Secrets through namespaced Roles.",
    check: (p, { type }) => {
      const out: string[] = [];
      const CHANGE = ["create", "update", "patch", "delete", "deletecollection", "*"];
      const clusterWide = type.endsWith(":ClusterRole");
      for (const [i, r] of asArray<any>(p.rules).entries()) {
        const verbs = asArray<string>(r.verbs);
        const resources = asArray<string>(r.resources);
        // `*` grants every resource and every verb, exec and attach included.
        const on = (res: string, allowed: string[]) =>
          resources.some((x) => namesResource(x, res)) &&
          verbs.some((v) => allowed.includes(v) || v === "*");
        if (resources.includes("*") && verbs.includes("*")) {
          out.push(`rules[${i}] grants every verb on every resource.`);
          continue;
        }
        for (const v of ["escalate", "bind", "impersonate"])
          if (verbs.includes(v)) out.push(`rules[${i}] grants ${v}.`);
        // The wildcard verb on RBAC objects is escalate + bind too (k8s-rbac-no-wildcards says so).
        if (verbs.includes("*") && resources.some((x) => /^(cluster)?role(binding)?s$/.test(x)))
          out.push(`rules[${i}] grants every verb on RBAC objects.`);
        for (const w of ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"])
          if (on(w, CHANGE)) out.push(`rules[${i}] may change ${w}.`);
        // Changing a binding adds subjects to its role (trivy AVD-KSV-0055; creating one is
        // checked against the creator's own permissions unless it may bind: AVD-KSV-0051/52).
        for (const b of ["rolebindings", "clusterrolebindings"])
          if (on(b, ["update", "patch", "*"])) out.push(`rules[${i}] may change ${b}.`);
        if (on("configmaps", CHANGE) && asArray<string>(r.resourceNames).includes("aws-auth"))
          out.push(
            `rules[${i}] may change aws-auth, which maps IAM identities to Kubernetes groups.`,
          );
        if (on("pods/log", ["delete", "deletecollection", "*"]))
          out.push(`rules[${i}] may delete pod logs.`);
        if (on("events", ["delete", "deletecollection", "*"]))
          out.push(`rules[${i}] may delete events.`);
        // CIS 5.1.9: a PersistentVolume may be a hostPath onto the node's disk.
        if (on("persistentvolumes", ["create", "*"]))
          out.push(
            `rules[${i}] may create PersistentVolumes (a hostPath volume reaches the node).`,
          );
        // CIS 5.1.13: tokens for any ServiceAccount of the namespace, outliving their holder.
        if (on("serviceaccounts/token", ["create", "*"]))
          out.push(`rules[${i}] may create ServiceAccount tokens.`);
        if (
          on("certificatesigningrequests/approval", ["update", "patch", "*"]) ||
          on("signers", ["approve", "*"])
        )
          out.push(`rules[${i}] may approve certificate signing requests.`);
        if (on("nodes/proxy", ["get", "create", "*"]))
          out.push(`rules[${i}] reaches the kubelet API (nodes/proxy).`);
        // get is enough since WebSocket streaming (KEP-4006, kubectl 1.30+ opens exec and
        // attach with a GET upgrade).
        for (const sub of ["pods/exec", "pods/attach", "pods/portforward"])
          if (on(sub, ["get", ...CHANGE]))
            out.push(`rules[${i}] may ${sub.split("/")[1]} into pods.`);
        if (clusterWide && on("secrets", ["get", "list", "watch", ...CHANGE]))
          out.push(`rules[${i}] reads or changes Secrets in every namespace.`);
      }
      return out;
    },
  }),
  resourceRule<{ exemptRoles: string[] }>({
    name: "k8s-rbac-workload-control",
    covers: [
      "AVD-KSV-0048",
      "AVD-KSV-0049",
      "AVD-KSV-0056",
      "kube-linter:access-to-create-pods",
      "kubescape:C-0007",
      "kubescape:C-0037",
      "kubescape:C-0188",
      "kubescape:C-0267",
    ],
    description:
      "Roles must not create or change workloads (pods and their controllers), ConfigMaps or networking objects (Services, Endpoints, NetworkPolicies, Ingresses): whoever holds them runs any image as any ServiceAccount of the namespace, or reroutes and opens traffic (CIS 5.1.4). Argo CD applies the platform's objects; a controller that must hold such a role is listed in exemptRoles.",
    severity: "medium",
    types: RBAC_ROLES,
    tags: ["kubernetes", "rbac", "security"],
    framework: k8sCis("5.1.4", "Minimize access to create pods"),
    remediationSteps:
      "Deliver the objects through the GitOps repository (Argo CD applies them), or add the role's name to exemptRoles in policies/config/<stack>.json with the reason.",
    config: {
      exemptRoles: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Role and ClusterRole names (globs) that may change workloads, ConfigMaps or networking.",
      },
    },
    check: (p, { config }) => {
      const name = String(get(p, "metadata.name") ?? "");
      if (config.exemptRoles.some((g) => globRegExp(g).test(name))) return [];
      const CHANGE = ["create", "update", "patch", "delete", "deletecollection", "*"];
      const GUARDED: [string, string[]][] = [
        [
          "workloads",
          [
            "pods",
            "deployments",
            "replicasets",
            "statefulsets",
            "daemonsets",
            "jobs",
            "cronjobs",
            "replicationcontrollers",
            "rollouts",
          ],
        ],
        ["configuration", ["configmaps"]],
        ["networking", ["services", "endpoints", "endpointslices", "networkpolicies", "ingresses"]],
      ];
      return asArray<any>(p.rules).flatMap((r, i) => {
        const verbs = asArray<string>(r.verbs).filter((v) => CHANGE.includes(v));
        if (verbs.length === 0) return [];
        return GUARDED.flatMap(([what, kinds]) => {
          const hit = kinds.filter((k) =>
            asArray<string>(r.resources).some((x) => namesResource(x, k)),
          );
          return hit.length
            ? [`rules[${i}] may ${verbs.join("/")} ${what} (${hit.join(", ")}).`]
            : [];
        });
      });
    },
  }),
  resourceRule({
    name: "k8s-rbac-no-broad-subjects",
    covers: ["AVD-KSV-0122", "AVD-KSV-01011", "kubescape:C-0262", "kubescape:C-0265"],
    description:
      "Bindings must not grant roles to every authenticated user, anonymous callers or every service account.",
    severity: "critical",
    types: RBAC_BINDINGS,
    tags: ["kubernetes", "rbac", "security"],
    framework: cis("kubescape", "v3", "C-0262", "Anonymous user has RoleBinding"),
    remediationSteps: "Bind named users, groups or service accounts.",
    check: (p) =>
      asArray<any>(p.subjects)
        .filter((s) => BROAD_GROUPS.includes(s.name) || s.name === "system:anonymous")
        .map((s) => `binds ${get(p, "roleRef.name")} to ${s.name}.`),
  }),
  resourceRule({
    name: "argo-appproject-restricted",
    description:
      "AppProjects must not be as permissive as Argo CD's default, whatever their name: no wildcard source repos, destinations or cluster resources.",
    severity: "high",
    types: [ARGO_APPPROJECT],
    tags: ["argo", "gitops", "security"],
    framework: cis(
      "Argo CD",
      "3",
      "Projects",
      "Restrict sourceRepos, destinations and cluster resources",
    ),
    remediationSteps:
      "List the repositories, the destination server and namespaces, and the cluster-scoped kinds the project may create.",
    check: (p) => {
      const spec = p.spec ?? {};
      const out: string[] = [];
      if (asArray<string>(spec.sourceRepos).includes("*"))
        out.push("sourceRepos allows any repository.");
      for (const d of asArray<any>(spec.destinations))
        if (d.server === "*" || d.namespace === "*" || d.name === "*")
          out.push(`destination ${d.server ?? d.name}/${d.namespace} is a wildcard.`);
      if (
        asArray<any>(spec.clusterResourceWhitelist).some((c) => c.group === "*" && c.kind === "*")
      )
        out.push("clusterResourceWhitelist allows every cluster-scoped kind.");
      return out;
    },
  }),
];
