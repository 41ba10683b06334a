/**
 * pulumi/compliance-policies' own unit tests as examples: each policy's spec file builds a
 * resource's inputs (its `resource.ts` base, then per test a mutation) and asserts a violation
 * or none. The spec files are run here, from a git checkout, with the test helpers replaced by
 * recorders: `assertHasResourceViolation` records the inputs as a bad example,
 * `assertNoResourceViolations` as a good one. The policies themselves are not loaded (they
 * need the project's policy manager); the SDK classes are stand-ins carrying only their Pulumi
 * type token, which is all the test helpers read from them.
 */
import * as path from "node:path";
import * as vm from "node:vm";
import * as ts from "typescript";

/** A resource's inputs as the policy test built them. */
export interface PulumiExample {
  type: string;
  props: Record<string, unknown>;
}

/** Kubernetes SDK module -> API group (pulumi-kubernetes names groups by their first label). */
const K8S_GROUPS: Record<string, string> = {
  core: "core",
  rbac: "rbac.authorization.k8s.io",
  networking: "networking.k8s.io",
  storage: "storage.k8s.io",
  admissionregistration: "admissionregistration.k8s.io",
  apiextensions: "apiextensions.k8s.io",
  scheduling: "scheduling.k8s.io",
  node: "node.k8s.io",
  certificates: "certificates.k8s.io",
  coordination: "coordination.k8s.io",
  discovery: "discovery.k8s.io",
  events: "events.k8s.io",
  flowcontrol: "flowcontrol.apiserver.k8s.io",
};

/** The Pulumi type token of `pkg.<path...>.<Class>` (aws.s3.Bucket -> aws:s3/bucket:Bucket). */
export function pulumiToken(pkg: string, modulePath: string[], cls: string): string {
  if (pkg === "kubernetes") {
    const [group, version] = modulePath;
    return `kubernetes:${K8S_GROUPS[group] ?? group}/${version}:${cls}`;
  }
  return `${pkg}:${modulePath.join("/")}/${cls[0].toLowerCase()}${cls.slice(1)}:${cls}`;
}

/** A stand-in for an SDK namespace: capitalised members are classes carrying __pulumiType. */
function sdk(pkg: string, modulePath: string[] = []): unknown {
  return new Proxy(
    {},
    {
      get: (_t, prop) => {
        if (typeof prop !== "string") return undefined;
        if (prop === "__esModule") return true;
        return /^[A-Z]/.test(prop)
          ? { __pulumiType: pulumiToken(pkg, modulePath, prop) }
          : sdk(pkg, [...modulePath, prop]);
      },
    },
  );
}

/** Anything: the policies module, whose members the tests only pass back to the helpers. */
const anything: unknown = new Proxy(function () {}, {
  get: (_t, prop) => (prop === "__esModule" ? true : anything),
  apply: () => anything,
});

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x ?? {}));

/**
 * Runs one spec file and returns the examples its tests assert. `read` returns a file of the
 * checkout (repository-relative path) or undefined. Tests of the policy-config filters
 * (include/exclude by resource name) are skipped: they say nothing about the resource.
 */
export async function examplesOfSpec(
  specPath: string,
  read: (file: string) => string | undefined,
): Promise<{ good: PulumiExample[]; bad: PulumiExample[] }> {
  const good: PulumiExample[] = [];
  const bad: PulumiExample[] = [];
  const record =
    (into: PulumiExample[]) =>
    async (_policy: unknown, args: { type: string; props: Record<string, unknown> }) => {
      into.push({ type: args.type, props: clone(args.props) });
    };
  const helpers = new Proxy(
    {
      createResourceValidationArgs: (
        cls: { __pulumiType: string },
        props: Record<string, unknown>,
      ) => ({ type: cls.__pulumiType, props: clone(props) }),
      assertHasResourceViolation: record(bad),
      assertNoResourceViolations: record(good),
      daysFromNow: (days: number) => new Date(Date.now() + days * 86_400_000),
    } as Record<string, unknown>,
    { get: (t, prop: string) => (prop in t ? t[prop] : () => undefined) },
  );
  const tests: { name: string; fn: () => unknown }[] = [];
  const modules = new Map<string, unknown>();

  const load = (file: string): unknown => {
    if (modules.has(file)) return modules.get(file);
    const source = read(file);
    if (source === undefined) throw new Error(`${file}: not in the checkout`);
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    modules.set(file, module.exports);
    const requireFrom = (spec: string): unknown => {
      if (spec === "mocha") return {};
      if (spec === "@pulumi/compliance-policies-unit-test-helpers") return helpers;
      const pkg = /^@pulumi\/(aws|gcp|kubernetes|google-native|aws-native)(?:\/(.+))?$/.exec(spec);
      if (pkg) return sdk(pkg[1], pkg[2] ? pkg[2].split("/") : []);
      if (!spec.startsWith(".")) return anything;
      const base = path.posix.join(path.posix.dirname(file), spec);
      for (const candidate of [`${base}.ts`, `${base}/index.ts`])
        if (read(candidate) !== undefined) {
          // the policies themselves: only passed back to the helpers
          if (!candidate.includes("/tests/")) return anything;
          return load(candidate);
        }
      return anything;
    };
    vm.runInNewContext(`(function (exports, require, module) {${js}\n})`, {
      describe: (_name: string, body: () => void) => body.call({}),
      it: (name: string, fn: () => unknown) => tests.push({ name, fn }),
      Date,
      JSON,
      Object,
      Array,
      Promise,
    })(module.exports, requireFrom, module);
    modules.set(file, module.exports);
    return module.exports;
  };

  load(specPath);
  for (const t of tests) {
    if (t.name.startsWith("policy-config")) continue;
    try {
      await t.fn.call({ test: { parent: { title: "" } } });
    } catch {
      // a test that needs more than the recorders give it contributes no example
    }
  }
  return { good, bad };
}
