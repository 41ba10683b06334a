/**
 * The rules judged on the other tools' own examples: for every check a rule cites in
 * `covers`, the tool's bad examples (trivy's documentation examples in Terraform and
 * Kubernetes YAML, kube-linter's e2e test objects, the inputs of pulumi/compliance-policies'
 * unit tests) must be flagged by a covering rule, and
 * its good examples must not be flagged for what makes the bad ones bad: every bad example
 * draws a message the good one does not. A good example flagged only for a further
 * requirement of a broader rule passes; one flagged for the same thing fails.
 *
 * Terraform goes through HashiCorp's HCL parser and the bridged SDK's declared shapes
 * (scripts/lib/upstreamExamples.ts). Examples that cannot be translated faithfully (an
 * attribute the current provider no longer has, a jsonencode() expression) are skipped and
 * counted; DISAGREEMENTS lists, with the reason, the examples where we deliberately judge
 * otherwise.
 */
import { describe, expect, it } from "vitest";
import { readUpstream } from "../../scripts/external-checks";
import { covering, judge, type Setting } from "../helpers/upstreamJudge";
import {
  kubernetesToPulumi,
  terraformToPulumi,
  type Translated,
} from "../../scripts/lib/upstreamExamples";

const checks = readUpstream().checks;

/**
 * Where we judge an upstream example otherwise, on purpose: `<id> <language> <good|bad>[i]`.
 * Each reason says why; the test fails when an entry no longer disagrees (stale).
 */
/** Reasons shared by several of Polaris' examples. */
const POLARIS = {
  exempt:
    "Polaris exempts objects by name (the cluster's default roles and bindings, system: and gce: prefixes); an object a stack declares is the stack's, and one with a built-in name replaces the cluster's own, so it is judged like any other",
  subset:
    "every verb on every resource of the core and other listed groups (Secrets, Pods, Services...) is cluster-admin in practice; Polaris passes it because the apiGroups are not `*`",
  missingRole:
    "the binding names a role the example does not declare: the pack sees one stack (roles from Helm charts or the cluster are invisible), so a binding is judged by what it names, not by what it cannot see",
  restricted:
    "Pod Security restricted asks for non-root, no privilege escalation, capabilities.drop ALL and the RuntimeDefault seccomp profile together (k8s-pod-restricted-security-context), so a pod Polaris passes for one of them still fails the others, with the same messages as its failing examples",
};

/** Reasons shared by several of kubescape's examples. */
const KUBESCAPE = {
  secretEnv:
    "a whole Secret passed into the environment (envFrom.secretRef) is a Secret reference, not a literal: not adopted, as checkov CKV_K8S_35 and kube-linter read-secret-from-env-var are (policies/external/scope.ts); k8s-env-no-literal-secrets refuses credentials written into the manifest",
  words:
    "the value only holds a word kubescape's default sensitiveValues list matches (JWT, _key_), which ordinary values carry; a value is refused for a credential's name or a credential's format (AWS key ids, GitHub, Google and Slack tokens, JWTs, bearer headers, private keys)",
  emptyNamespace:
    "a namespace where the stack runs no workload: the rule asks for a NetworkPolicy where the stack's workloads run (CIS 5.3.2); models and training receive theirs through GitOps, with the model's rendered NetworkPolicy",
  stricterRole:
    "the permission is refused in any role, whoever it is bound to; kubescape judges it only where a binding or a workload makes it reachable",
  builtin:
    "the cluster's own kubernetes Service and Endpoints, which kubescape exempts by name; an object a stack declares with a built-in name replaces the cluster's own, so it is judged like any other",
};

const DISAGREEMENTS: Record<string, string> = {
  ...Object.fromEntries(
    [1, 2, 9, 10, 13, 14].flatMap((i) =>
      ["C-0012", "C-0259"].map((c) => [`kubescape:${c} kubernetes bad[${i}]`, KUBESCAPE.secretEnv]),
    ),
  ),
  ...Object.fromEntries(
    [3, 7].flatMap((i) =>
      ["C-0012", "C-0259"].map((c) => [`kubescape:${c} kubernetes bad[${i}]`, KUBESCAPE.words]),
    ),
  ),
  ...Object.fromEntries(
    ["C-0049", "C-0054", "C-0206"].map((c) => [
      `kubescape:${c} kubernetes bad[1]`,
      KUBESCAPE.emptyNamespace,
    ]),
  ),
  ...Object.fromEntries(
    ["C-0272 kubernetes good[1]", "C-0272 kubernetes good[2]", "C-0278 kubernetes good[0]"].map(
      (k) => [`kubescape:${k}`, KUBESCAPE.stricterRole],
    ),
  ),
  "kubescape:C-0212 kubernetes good[0]": KUBESCAPE.builtin,
  "kubescape:C-0212 kubernetes good[1]": KUBESCAPE.builtin,
  "kubescape:C-0004 kubernetes bad[5]":
    "kubescape compares requests and limits with minima and maxima its test configures (memory_limit_max...); sizes are a team's quota decision, and k8s-pod-resources asks that they be declared",
  "kubescape:C-0078 kubernetes bad[2]":
    "which registries are allowed is each organisation's list: kubescape's test configures one, the stacks set allowedRegistries (empty allows any)",
  "kubescape:C-0020 kubernetes good[0]":
    "every hostPath volume is refused (k8s-pod-no-hostpath); kubescape refuses only those reaching cloud credential paths",
  "kubescape:C-0020 kubernetes good[1]":
    "every hostPath volume is refused (k8s-pod-no-hostpath); kubescape refuses only those reaching cloud credential paths",
  "kubescape:C-0021 kubernetes good[0]":
    "every public LoadBalancer is refused unless the stack allows them; kubescape flags one only in front of the interfaces on its sensitiveInterfaces list, matched by port",
  "kubescape:C-0185 kubernetes good[0]":
    "a RoleBinding to cluster-admin grants everything in its namespace (kube-system here), so it is refused as a ClusterRoleBinding is; kubescape flags ClusterRoleBindings only",
  "kubescape:C-0192 kubernetes good[0]":
    "a webhook policy engine may enforce more, but every namespace still enforces a Pod Security level (k8s-namespace-pod-security): the built-in admission needs no webhook to stay up",
  "kubescape:C-0256 kubernetes good[0]":
    "the Ingress is judged itself, whichever Service it routes to: a public Ingress is an entry from the internet even before a workload sits behind it",
  "kubescape:C-0265 kubernetes good[0]":
    "any role bound to every authenticated user is refused, read-only ones too: on GKE, system:authenticated includes any Google account",
  ...Object.fromEntries(
    [
      "clusterrolebindingClusterAdmin good[4]",
      "clusterrolebindingClusterAdmin good[5]",
      "clusterrolebindingPodExecAttach good[2]",
      "clusterrolebindingPodExecAttach good[3]",
      "clusterrolebindingPodExecAttach good[5]",
      "clusterrolebindingPodExecAttach good[6]",
      "clusterrolePodExecAttach good[2]",
      "clusterrolePodExecAttach good[3]",
      "clusterrolePodExecAttach good[5]",
      "clusterrolePodExecAttach good[6]",
      "rolebindingClusterAdminClusterRole good[5]",
      "rolebindingClusterAdminClusterRole good[7]",
      "rolebindingClusterAdminRole good[5]",
      "rolebindingClusterAdminRole good[6]",
      "rolebindingClusterRolePodExecAttach good[4]",
      "rolebindingClusterRolePodExecAttach good[6]",
      "rolebindingRolePodExecAttach good[4]",
      "rolebindingRolePodExecAttach good[7]",
      "rolePodExecAttach good[3]",
      "rolePodExecAttach good[4]",
    ].map((k) => [`polaris:${k.replace(" ", " kubernetes ")}`, POLARIS.exempt]),
  ),
  ...Object.fromEntries(
    [
      "clusterrolebindingClusterAdmin good[1]",
      "rolebindingClusterAdminClusterRole good[2]",
      "rolebindingClusterAdminRole good[2]",
      "rolebindingRolePodExecAttach good[5]",
    ].map((k) => [`polaris:${k.replace(" ", " kubernetes ")}`, POLARIS.subset]),
  ),
  ...Object.fromEntries(
    [
      "clusterrolebindingPodExecAttach bad[3]",
      "rolebindingClusterRolePodExecAttach bad[3]",
      "rolebindingRolePodExecAttach bad[3]",
    ].map((k) => [`polaris:${k.replace(" ", " kubernetes ")}`, POLARIS.missingRole]),
  ),
  ...Object.fromEntries(
    [
      "insecureCapabilities good[0]",
      "insecureCapabilities good[1]",
      "insecureCapabilities good[3]",
      "insecureCapabilities good[4]",
      "linuxHardening good[0]",
      "linuxHardening good[1]",
      "linuxHardening good[5]",
      "linuxHardening good[6]",
    ].map((k) => [`polaris:${k.replace(" ", " kubernetes ")}`, POLARIS.restricted]),
  ),
  "polaris:topologySpreadConstraint kubernetes good[0]":
    "runs one replica, where spreading means nothing; k8s-server-replicas-pdb asks for two or more (prod) and then for their spread, so this one fails for its replica count as the failing examples do",
  "AVD-GCP-0051 terraform good[0]":
    "labels the cluster with env only; cost-required-labels asks for the keys that attribute cost (team, cost-center, environment, managed-by)",
  "AVD-KSV-0003 kubernetes good[0]":
    'drops "all" in lower case: Pod Security restricted accepts only a list that includes "ALL" (kubernetes.io/docs/concepts/security/pod-security-standards), so the namespaces this platform labels restricted would reject the pod',
  "AVD-AWS-0132 terraform good[1]":
    "an access-log bucket recognised by its log-delivery-write ACL on the bucket; our per-resource rule reads the encryption resource, so log buckets are recognised by name (logBucketPatterns)",
  "AVD-GCP-0077 terraform good[1]":
    "the log bucket is recognised because another bucket logs into it; our per-resource rule cannot see other buckets, so log buckets are recognised by name (logBucketPatterns)",
  "AVD-GCP-0050 terraform good[1]":
    "the cluster keeps its default node pool (no removeDefaultNodePool), whose nodes run as the Compute Engine default SA; trivy reads only the auto-provisioning defaults",
  "AVD-GCP-0050 terraform good[2]":
    "the cluster keeps its default node pool (no removeDefaultNodePool), whose nodes run as the Compute Engine default SA; trivy reads only the node pools",
};

interface Case {
  key: string;
  id: string;
  verdict: "good" | "bad";
  translated: Translated;
}

const cited = checks.filter((c) => c.examples && covering(c.id).length > 0);

/** compliance-policies' examples are already Pulumi inputs: `{ type, props }`. */
function pulumiExample(text: string): Translated {
  const { type, props } = JSON.parse(text) as { type: string; props: Record<string, unknown> };
  return { items: [{ type, name: "example", props }], problems: [] };
}

async function translateAll(): Promise<Case[]> {
  const cases: Case[] = [];
  for (const c of cited)
    for (const [lang, ex] of Object.entries(c.examples!))
      for (const verdict of ["bad", "good"] as const)
        for (const [i, text] of ex[verdict].entries())
          cases.push({
            key: `${c.id} ${lang} ${verdict}[${i}]`,
            id: c.id,
            verdict,
            translated:
              lang === "terraform"
                ? await terraformToPulumi(text)
                : lang === "pulumi"
                  ? pulumiExample(text)
                  : kubernetesToPulumi(text),
          });
  return cases;
}

describe("the covering rules on the tools' own examples", async () => {
  const cases = await translateAll();
  const usable = cases.filter((c) => c.translated.problems.length === 0);

  it("most examples translate faithfully; the rest are skipped for a stated reason", () => {
    expect(cited.length).toBeGreaterThan(40);
    expect(usable.length).toBeGreaterThan(150);
    expect(usable.length / cases.length).toBeGreaterThan(0.8);
    for (const c of cases.filter((x) => x.translated.problems.length))
      expect(c.translated.problems.join("; "), c.key).toMatch(
        /not an input of the SDK type|expression|data source|no Pulumi type known|not a Kubernetes API group|no such kind in that API version/,
      );
  });

  /** Under one setting: the bad examples missed and the good ones flagged like a bad one. */
  function verdicts(id: string, setting: Setting) {
    const mine = usable.filter((c) => c.id === id && !DISAGREEMENTS[c.key]);
    const messages = (c: Case) =>
      new Set(
        judge(covering(id), c.translated.items, setting).map((m) =>
          // the examples name their resources good_example / bad_example: compare the finding
          m.replace(/\b(good|bad)[_-]?example\b/gi, "example"),
        ),
      );
    const bad = mine.filter((c) => c.verdict === "bad").map((c) => [c, messages(c)] as const);
    const missed = bad.filter(([, m]) => m.size === 0).map(([c]) => c.key);
    const wrong: string[] = [];
    for (const good of mine.filter((c) => c.verdict === "good")) {
      const g = messages(good);
      for (const [b, m] of bad)
        if (m.size > 0 && [...m].every((x) => g.has(x))) wrong.push(`${good.key} vs ${b.key}`);
    }
    return { missed, wrong };
  }
  const results = cited.map((c) => {
    const prodResult = verdicts(c.id, "prod");
    const ok = (r: typeof prodResult) => r.missed.length === 0 && r.wrong.length === 0;
    return ok(prodResult) ? prodResult : verdicts(c.id, "strictest");
  });

  it("every bad example is flagged by a rule that covers its check", () => {
    expect(results.flatMap((r) => r.missed)).toEqual([]);
  });

  it("no good example is flagged for what makes the bad ones bad (under the same setting)", () => {
    expect(results.flatMap((r) => r.wrong)).toEqual([]);
  });

  it("each listed disagreement still disagrees (so the list cannot go stale)", () => {
    for (const key of Object.keys(DISAGREEMENTS)) {
      const c = usable.find((x) => x.key === key);
      expect(c, key).toBeDefined();
      const flagged = (["prod", "strictest"] as const).some(
        (setting) => judge(covering(c!.id), c!.translated.items, setting).length > 0,
      );
      expect(flagged, key).toBe(c!.verdict === "good");
    }
  });
});
