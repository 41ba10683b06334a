/** Kubernetes RBAC and Argo CD AppProjects: no cluster-admin grants, no wildcards, no broad subjects. */
import { k8sCis } from "../../lib/frameworks";
import { asArray, cis, get, resourceRule, type Rule } from "../../lib/rule";
import { ARGO_APPPROJECT, RBAC_BINDINGS, RBAC_ROLES } from "../types";

/** Groups every authenticated (or anonymous) caller belongs to. */
const BROAD_GROUPS = [
  "system:authenticated",
  "system:unauthenticated",
  "system:anonymous",
  "system:serviceaccounts",
];

export const rbacRules: Rule[] = [
  resourceRule({
    name: "k8s-rbac-no-cluster-admin",
    covers: ["AVD-KSV-0111", "kube-linter:cluster-admin-role-binding"],
    description: "No binding may grant the cluster-admin ClusterRole.",
    severity: "critical",
    types: RBAC_BINDINGS,
    tags: ["kubernetes", "rbac", "security"],
    framework: k8sCis("5.1.1", "Ensure that the cluster-admin role is only used where required"),
    remediationSteps: "Bind a role with the verbs and resources the subject needs.",
    check: (p) => (get(p, "roleRef.name") === "cluster-admin" ? ["binds cluster-admin."] : []),
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
    name: "k8s-rbac-no-broad-subjects",
    covers: ["AVD-KSV-0122", "AVD-KSV-01011"],
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
