/**
 * Calls a rule the way @pulumi/policy's server does: props behind the SDK's
 * unknown-checking proxy, config from getConfig (schema defaults are filled by
 * the rule helper, as the CLI would), and a report function collecting messages.
 *
 * A rule must not change what it reads: the pack gives every policy the same deserialized
 * properties (policies/lib/deserializeOnce.ts), so each call here fails a rule that does.
 */
import type {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isDeepStrictEqual } from "node:util";
import type { Rule } from "../../policies/lib/rule";

/** Runs `call` and throws when it changed `inputs` (see the file comment). */
function readOnly<T>(ruleName: string, inputs: unknown, call: () => T): T {
  const before = structuredClone(inputs);
  const result = call();
  if (!isDeepStrictEqual(before, inputs))
    throw new Error(
      `${ruleName} changed the properties it reads; every policy shares them, so a rule may only read.`,
    );
  return result;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T>(x: T) => T;
};

export function runResourceRule(
  rule: Rule,
  type: string,
  props: Record<string, unknown>,
  config: Record<string, unknown> = {},
  /** `readOnlyCheck: false` skips the copy-and-compare (the bench times the rules alone). */
  opts: { protect?: boolean; readOnlyCheck?: boolean } = {},
): string[] {
  const messages: string[] = [];
  const validate = (rule as ResourceValidationPolicy).validateResource;
  if (!validate || Array.isArray(validate))
    throw new Error(`${rule.name} is not a single resource rule`);
  const call = () =>
    validate(
      {
        type,
        props: unknownCheckingProxy(props),
        urn: `urn:pulumi:test::mlops-platform::${type}::r`,
        name: "r",
        opts: {
          protect: opts.protect ?? false,
          ignoreChanges: [],
          aliases: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          additionalSecretOutputs: [],
        },
        isType: () => false,
        asType: () => undefined,
        getConfig: <T>() => config as T,
        notApplicable: () => {
          throw new Error("not applicable");
        },
      } as never,
      (message?: string) => messages.push(message ?? ""),
    );
  void (opts.readOnlyCheck === false ? call() : readOnly(rule.name, props, call));
  return messages;
}

export interface StackItem {
  type: string;
  name?: string;
  props: Record<string, unknown>;
  protect?: boolean;
  /** Property -> names of the items it depends on (as the engine records them). */
  propertyDependencies?: Record<string, string[]>;
}

export function runStackRule(
  rule: Rule,
  items: StackItem[],
  config: Record<string, unknown> = {},
): string[] {
  return runStackRuleOn(rule, items, config).map((v) => v.message);
}

/** A stack rule's violations with the item each names (undefined when it names none). */
export function runStackRuleOn(
  rule: Rule,
  items: StackItem[],
  config: Record<string, unknown> = {},
): { message: string; name?: string }[] {
  const messages: { message: string; name?: string }[] = [];
  const resources = items.map(
    (it, i) =>
      ({
        type: it.type,
        name: it.name ?? `r${i}`,
        urn: `urn:pulumi:test::mlops-platform::${it.type}::${it.name ?? `r${i}`}`,
        props: unknownCheckingProxy(it.props),
        opts: { protect: it.protect ?? false },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  const byName = new Map(resources.map((r) => [r.name, r]));
  items.forEach((it, i) => {
    for (const [prop, names] of Object.entries(it.propertyDependencies ?? {})) {
      resources[i].propertyDependencies[prop] = names.map((n) => {
        const dep = byName.get(n);
        if (!dep) throw new Error(`propertyDependencies: no item named ${n}`);
        return dep;
      });
    }
  });
  void readOnly(
    rule.name,
    items.map((it) => it.props),
    () =>
      (rule as StackValidationPolicy).validateStack(
        { resources, getConfig: <T>() => config as T, notApplicable: () => undefined } as never,
        (message?: string, urn?: string) =>
          messages.push({
            message: message ?? "",
            name: resources.find((r) => r.urn === urn)?.name,
          }),
      ),
  );
  return messages;
}
