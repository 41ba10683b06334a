/**
 * One deserialization per resource instead of one per policy.
 *
 * @pulumi/policy 1.21.0 (server.js, makeAnalyzeRpcFun and makeAnalyzeStackRpcFun) turns a
 * resource's protobuf properties into JavaScript again for every policy that does not carry a
 * single `__pulumiType` (and, in AnalyzeStack, every resource again for every stack policy).
 * A multi-type rule (the Kubernetes workload kinds, IAM member/binding, bucket and its
 * companions) cannot carry one type, so with this pack's multi-type rules that conversion was
 * most of the pack's cost per resource (`npm run bench`: pack / empty-pack floor 2.3x).
 *
 * The SDK looks the function up on its module's exports at each call
 * (`deserialize_1.deserializeProperties(req.getProperties(), false)`), and `getProperties()`
 * returns the same Struct object for one request, so a WeakMap keyed by that object gives
 * every policy the same plain object, each behind its own unknown-checking proxy as before.
 * Only the validation path (`proxySecrets` false) is shared: remediation deserializes with
 * secrets proxied and may hand back a changed copy, so it keeps its own.
 *
 * Sharing is safe because no rule writes to the properties it reads: the in-process runner
 * (scripts/lib/policyInProcess.ts) fails any rule that changes its input, and
 * test/policies/deserializeOnce.test.ts shows the SDK goes through this function.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require("@pulumi/policy/deserialize") as {
  deserializeProperties: (struct: unknown, proxySecrets: boolean) => Record<string, unknown>;
};

type Once = ((struct: unknown, proxySecrets: boolean) => Record<string, unknown>) & {
  counts?: { calls: number; converted: number };
};
const installed = sdk.deserializeProperties as Once;

// The patch is installed once per process; this module may be evaluated again in the same
// process (a test that resets modules, vi.resetModules), so the counts live on the installed
// function.
if (!installed.counts) {
  const original = sdk.deserializeProperties;
  const shared = new WeakMap<object, Record<string, unknown>>();
  const counts = { calls: 0, converted: 0 };
  const once = (struct: unknown, proxySecrets: boolean) => {
    counts.calls++;
    if (proxySecrets || typeof struct !== "object" || struct === null) {
      counts.converted++;
      return original(struct, proxySecrets);
    }
    let props = shared.get(struct);
    if (!props) {
      counts.converted++;
      props = original(struct, false);
      shared.set(struct, props);
    }
    return props;
  };
  sdk.deserializeProperties = Object.assign(once, { counts });
}

/** How often the SDK asked for a resource's properties, and how often they were converted. */
export const deserializations = (): Readonly<{ calls: number; converted: number }> => ({
  ...(sdk.deserializeProperties as Once).counts!,
});
