/**
 * policies/lib/deserializeOnce.ts: the SDK's own analyze handlers (@pulumi/policy server.js,
 * called here as the gRPC server calls them) convert a resource's properties once for all
 * policies, the verdicts stay the same, and a rule that writes to what it reads is caught.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { deserializations } from "../../policies/lib/deserializeOnce";
import { resourceRule, stackRule, type Rule } from "../../policies/lib/rule";
import { allRules } from "../../policies/rules";
import { runResourceRule, runStackRule } from "../../scripts/lib/policyInProcess";

const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const analyzerProto = pulumiRequire("./proto/analyzer_pb");
const structProto = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
// server.js is internal to the SDK; these are the functions its gRPC service calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: (...a: unknown[]) => (call: unknown, cb: (e: unknown, r: any) => void) => void;
  makeAnalyzeStackRpcFun: (
    ...a: unknown[]
  ) => (call: unknown, cb: (e: unknown, r: any) => void) => void;
};

const deployment = {
  type: "kubernetes:apps/v1:Deployment",
  props: {
    metadata: { name: "web", namespace: "default" },
    spec: {
      template: {
        spec: { containers: [{ name: "web", image: "nginx:latest", securityContext: {} }] },
      },
    },
  },
};
/** The rules the SDK cannot skip by type: it deserializes the resource for each of them. */
const untyped = (rules: Rule[]) =>
  rules.filter(
    (r) =>
      "validateResource" in r && !(r.validateResource as { __pulumiType?: string }).__pulumiType,
  );

function analyzeRequest() {
  const req = new analyzerProto.AnalyzeRequest();
  req.setType(deployment.type);
  req.setUrn(`urn:pulumi:dev::mlops-platform::${deployment.type}::web`);
  req.setName("web");
  req.setProperties(structProto.Struct.fromJavaScript(deployment.props));
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(false);
  req.setOptions(o);
  return req;
}

function rpc(fn: (call: unknown, cb: (e: unknown, r: any) => void) => void, request: unknown) {
  return new Promise<string[]>((resolve, reject) =>
    fn({ request }, (err, res) =>
      err
        ? reject(err)
        : resolve(
            res
              .getDiagnosticsList()
              .map((d: any) => `${d.getPolicyname()}: ${d.getMessage()}`)
              .sort(),
          ),
    ),
  );
}

describe("one deserialization per resource (policies/lib/deserializeOnce.ts)", () => {
  it("Analyze: every multi-type policy reads one conversion of the resource, with the same verdicts", async () => {
    const policies = untyped(allRules);
    expect(policies.length).toBeGreaterThan(20);
    const before = deserializations();
    const found = await rpc(
      server.makeAnalyzeRpcFun("mlops-platform", "0.1.0", "advisory", allRules),
      analyzeRequest(),
    );
    const after = deserializations();
    expect(after.calls - before.calls).toBe(policies.length);
    expect(after.converted - before.converted).toBe(1);
    // The same verdicts as each rule reading its own copy (the in-process runner).
    const reading = policies.filter((r) => r.types.includes(deployment.type));
    const names = new Set(reading.map((r) => r.name));
    const own = reading
      .flatMap((r) =>
        runResourceRule(r, deployment.type, structuredClone(deployment.props)).map(
          (m) => `${r.name}: ${r.description}\n${m}`,
        ),
      )
      .sort();
    expect(own.length).toBeGreaterThan(3);
    expect(found.filter((d) => names.has(d.split(":")[0]))).toEqual(own);
  });

  it("AnalyzeStack: each resource is converted once for all stack policies", async () => {
    const stackPolicies = allRules.filter((r) => "validateStack" in r);
    const req = new analyzerProto.AnalyzeStackRequest();
    const resources = [0, 1, 2].map((i) => {
      const r = new analyzerProto.AnalyzerResource();
      r.setType(deployment.type);
      r.setUrn(`urn:pulumi:dev::mlops-platform::${deployment.type}::web${i}`);
      r.setName(`web${i}`);
      r.setProperties(structProto.Struct.fromJavaScript(deployment.props));
      r.setOptions(new analyzerProto.AnalyzerResourceOptions());
      return r;
    });
    req.setResourcesList(resources);
    const before = deserializations();
    await rpc(
      server.makeAnalyzeStackRpcFun("mlops-platform", "0.1.0", "advisory", stackPolicies),
      req,
    );
    const after = deserializations();
    expect(after.converted - before.converted).toBe(resources.length);
    expect(after.calls - before.calls).toBeGreaterThan(resources.length);
  });

  it("the pack loads it: policies/index.ts imports it", () => {
    const index = fs.readFileSync(path.join(__dirname, "../../policies/index.ts"), "utf8");
    expect(index).toMatch(/^import "\.\/lib\/deserializeOnce";$/m);
  });

  it("a rule that writes to the properties it reads fails in the in-process runner", () => {
    const meta = {
      description: "writes",
      severity: "low" as const,
      remediationSteps: "",
      tags: [],
      types: ["t:m:T"],
    };
    const writes = resourceRule({
      ...meta,
      name: "writes-resource",
      check: (props) => {
        props.metadata.name = "changed";
        return [];
      },
    });
    expect(() => runResourceRule(writes, "t:m:T", { metadata: { name: "a" } })).toThrow(
      /writes-resource changed the properties it reads/,
    );
    const reads = resourceRule({ ...meta, name: "reads", check: (props) => [String(props.a)] });
    expect(runResourceRule(reads, "t:m:T", { a: 1 })).toEqual(["1"]);
    const writesStack = stackRule({
      ...meta,
      name: "writes-stack",
      check: (resources) => {
        delete resources[0].props.a;
        return [];
      },
    });
    expect(() => runStackRule(writesStack, [{ type: "t:m:T", props: { a: 1 } }])).toThrow(
      /writes-stack changed the properties it reads/,
    );
  });
});
