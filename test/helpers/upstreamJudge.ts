/**
 * How the pack judges another tool's example: the rules that cite a check (`covers`), run
 * under prod's config or the strictest one, on the resources translated from the example.
 */
import { allRules } from "../../policies/rules";
import type { Rule } from "../../policies/lib/rule";
import { readPolicyConfig } from "../../scripts/lib/policyEngine";
import { runResourceRule, runStackRuleOn, type StackItem } from "../../scripts/lib/policyInProcess";

const prod = readPolicyConfig("prod") as Record<string, unknown>;

/** The rules citing a check id. */
export const covering = (id: string) => allRules.filter((r) => r.covers.includes(id));

export type Setting = "prod" | "strictest";

/**
 * The rule's config under a setting: prod's own, or prod's with every `require*` switch on and
 * every `allow*` switch off. A `covers` claim holds under one of them (the README's config
 * column shows the switches): e.g. aws-eks-endpoint-restricted covers "no 0.0.0.0/0" as prod
 * sets it, and "no public endpoint" with allowPublicEndpoint off.
 */
export function config(rule: Rule, setting: Setting): Record<string, unknown> {
  const entry = prod[rule.name];
  const own = entry && typeof entry === "object" ? { ...(entry as Record<string, unknown>) } : {};
  delete own.enforcementLevel;
  if (setting === "prod") return own;
  const props = (rule.configSchema?.properties ?? {}) as Record<string, { type: string }>;
  for (const [k, v] of Object.entries(props))
    if (v.type === "boolean" && k.startsWith("require")) own[k] = true;
    else if (v.type === "boolean" && k.startsWith("allow")) own[k] = false;
  return own;
}

export function judge(rules: Rule[], items: StackItem[], setting: Setting): string[] {
  return judgeEach(rules, items, setting).map((v) => v.message);
}

/**
 * Every finding with the item it is about: a resource rule's on the item it ran on, a stack
 * rule's on the resource it reported (none when it reported the stack).
 */
export function judgeEach(
  rules: Rule[],
  items: StackItem[],
  setting: Setting,
): { message: string; name?: string }[] {
  const out: { message: string; name?: string }[] = [];
  for (const r of rules) {
    const cfg = config(r, setting);
    if ("validateStack" in r) {
      out.push(
        ...runStackRuleOn(r, items, cfg).map((v) => ({ ...v, message: `${r.name}: ${v.message}` })),
      );
      continue;
    }
    for (const it of items)
      if (r.types.includes(it.type))
        out.push(
          ...runResourceRule(r, it.type, it.props, cfg).map((m) => ({
            message: `${r.name}: ${m}`,
            name: it.name,
          })),
        );
  }
  return out;
}
