/**
 * The rules judged on the other tools' own examples: for every check a rule cites in
 * `covers`, the tool's bad examples (trivy's documentation examples in Terraform and
 * Kubernetes YAML, kube-linter's e2e test objects) must be flagged by a covering rule, and
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
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExternalCheck } from "../../policies/external/scope";
import { allRules } from "../../policies/rules";
import type { Rule } from "../../policies/lib/rule";
import { runResourceRule, runStackRule, type StackItem } from "../../scripts/lib/policyInProcess";
import {
  kubernetesToPulumi,
  terraformToPulumi,
  type Translated,
} from "../../scripts/lib/upstreamExamples";

const ROOT = path.resolve(__dirname, "..", "..");
const checks = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "policies/external/upstream.json"), "utf8")) as {
    checks: ExternalCheck[];
  }
).checks;
const prod = JSON.parse(
  fs.readFileSync(path.join(ROOT, "policies/config/prod.json"), "utf8"),
) as Record<string, unknown>;

/**
 * Where we judge an upstream example otherwise, on purpose: `<id> <language> <good|bad>[i]`.
 * Each reason says why; the test fails when an entry no longer disagrees (stale).
 */
const DISAGREEMENTS: Record<string, string> = {
  "AVD-KSV-0003 kubernetes good[0]":
    'drops "all" in lower case: Pod Security restricted accepts only a list that includes "ALL" (kubernetes.io/docs/concepts/security/pod-security-standards), so the namespaces this platform labels restricted would reject the pod',
  "AVD-AWS-0132 terraform good[1]":
    "an access-log bucket recognised by its log-delivery-write ACL on the bucket; our per-resource rule reads the encryption resource, so log buckets are recognised by name (logBucketPatterns)",
  "AVD-AWS-0132 terraform good[3]":
    "an access-log bucket recognised by a LogDelivery grant in a separate BucketAcl; our per-resource rule reads the encryption resource, so log buckets are recognised by name (logBucketPatterns)",
  "AVD-GCP-0077 terraform good[1]":
    "the log bucket is recognised because another bucket logs into it; our per-resource rule cannot see other buckets, so log buckets are recognised by name (logBucketPatterns)",
  "AVD-GCP-0050 terraform good[1]":
    "the cluster keeps its default node pool (no removeDefaultNodePool), whose nodes run as the Compute Engine default SA; trivy reads only the auto-provisioning defaults",
  "AVD-GCP-0050 terraform good[2]":
    "the cluster keeps its default node pool (no removeDefaultNodePool), whose nodes run as the Compute Engine default SA; trivy reads only the node pools",
};

/** Prod's settings with every `require*` switch on: a `covers` claim holds once the requirement is on. */
function strictest(rule: Rule): Record<string, unknown> {
  const entry = prod[rule.name];
  const own = entry && typeof entry === "object" ? { ...(entry as Record<string, unknown>) } : {};
  delete own.enforcementLevel;
  const props = (rule.configSchema?.properties ?? {}) as Record<string, { type: string }>;
  for (const [k, v] of Object.entries(props))
    if (v.type === "boolean" && k.startsWith("require")) own[k] = true;
  return own;
}

function judge(rules: Rule[], items: StackItem[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    if ("validateStack" in r) {
      out.push(...runStackRule(r, items, strictest(r)).map((m) => `${r.name}: ${m}`));
      continue;
    }
    for (const it of items)
      if (r.types.includes(it.type))
        out.push(
          ...runResourceRule(r, it.type, it.props, strictest(r)).map((m) => `${r.name}: ${m}`),
        );
  }
  return out;
}

interface Case {
  key: string;
  id: string;
  verdict: "good" | "bad";
  translated: Translated;
}

const covering = (id: string) => allRules.filter((r) => r.covers.includes(id));
const cited = checks.filter((c) => c.examples && covering(c.id).length > 0);

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
              lang === "terraform" ? await terraformToPulumi(text) : kubernetesToPulumi(text),
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
        /not an input of the SDK type|expression|no Pulumi type known|not a Kubernetes API group/,
      );
  });

  it("every bad example is flagged by a rule that covers its check", () => {
    const missed = usable
      .filter((c) => c.verdict === "bad" && !DISAGREEMENTS[c.key])
      .filter((c) => judge(covering(c.id), c.translated.items).length === 0)
      .map((c) => c.key);
    expect(missed).toEqual([]);
  });

  it("no good example is flagged for what makes the bad ones bad", () => {
    const messages = (c: Case) =>
      new Set(
        judge(covering(c.id), c.translated.items).map((m) =>
          // the examples name their resources good_example / bad_example: compare the finding
          m.replace(/\b(good|bad)[_-]?example\b/gi, "example"),
        ),
      );
    const wrong: string[] = [];
    for (const good of usable.filter((c) => c.verdict === "good" && !DISAGREEMENTS[c.key])) {
      const g = messages(good);
      for (const bad of usable.filter((c) => c.verdict === "bad" && c.id === good.id)) {
        const b = [...messages(bad)];
        if (b.length > 0 && b.every((m) => g.has(m))) wrong.push(`${good.key} vs ${bad.key}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("each listed disagreement still disagrees (so the list cannot go stale)", () => {
    for (const key of Object.keys(DISAGREEMENTS)) {
      const c = usable.find((x) => x.key === key);
      expect(c, key).toBeDefined();
      const flagged = judge(covering(c!.id), c!.translated.items).length > 0;
      expect(flagged, key).toBe(c!.verdict === "good");
    }
  });
});
