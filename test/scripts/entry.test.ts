/**
 * The entry loads the way `pulumi up` loads it: ts-node registered as the
 * nodejs runtime registers it (project tsconfig, type checking on), then the
 * module Pulumi.yaml `main` names is required under mocks with each stack's
 * config. vitest's own loader would accept code that ts-node refuses, so this
 * runs in a separate node process through scripts/load-entry.cjs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const LOADER = path.join(ROOT, "scripts", "load-entry.cjs");
const PROBE = path.join(ROOT, "stacks", "__typecheck_probe__.ts");

function load(targets: string[], entry?: string) {
  const env = { ...process.env };
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  return spawnSync(process.execPath, [LOADER, ...targets, ...(entry ? ["--entry", entry] : [])], {
    cwd: ROOT,
    env,
    encoding: "utf8",
  });
}

/** All six env x cloud stacks in one runtime-faithful load: TypeScript checks the program once. */
const STACKS = ["dev", "staging", "prod", "dev:aws", "staging:aws", "prod:aws"];
let loaded: ReturnType<typeof load> | undefined;
const loadAll = () => (loaded ??= load(STACKS));

afterAll(() => fs.rmSync(PROBE, { force: true }));

describe("the program loads as the Pulumi nodejs runtime loads it", () => {
  it("Pulumi.yaml names the nodejs runtime and a TypeScript entry in stacks/", () => {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    expect(project.name).toBe("mlops-platform");
    expect(project.runtime.name ?? project.runtime).toBe("nodejs");
    expect(project.main).toMatch(/^stacks\/.+\.ts$/);
    expect(fs.existsSync(path.join(ROOT, project.main))).toBe(true);
  });

  it("TypeScript and ts-node are within @pulumi/pulumi's peer ranges", async () => {
    const semver = await import("semver");
    const peers = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
    ).peerDependencies as Record<string, string>;
    for (const dep of ["typescript", "ts-node"]) {
      const version = JSON.parse(
        fs.readFileSync(path.join(ROOT, "node_modules", dep, "package.json"), "utf8"),
      ).version;
      expect(semver.satisfies(version, peers[dep]), `${dep} ${version} vs ${peers[dep]}`).toBe(
        true,
      );
    }
  });

  it("exactly one copy of @pulumi/pulumi is installed (two break mocks silently)", () => {
    const out = execFileSync(
      "find",
      ["node_modules", "-path", "*/@pulumi/pulumi/package.json", "-not", "-path", "*/test/*"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(out.trim().split("\n")).toEqual(["node_modules/@pulumi/pulumi/package.json"]);
  });

  it.each(STACKS)(
    "stack %s compiles with type checking and registers its resources (the mocks answer every invoke)",
    (target) => {
      const res = loadAll();
      expect(res.status, res.stderr).toBe(0);
      const lines = res.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const [stack, cloud = "stack file"] = target.split(":");
      const out = lines.find((l) => l.stack === stack && l.cloud === cloud);
      expect(out, res.stdout).toBeDefined();
      expect(out.transpileOnly).toBe(false);
      expect(out.resources).toBeGreaterThan(50);
      const clusterType =
        cloud === "aws" ? "aws:eks/cluster:Cluster" : "gcp:container/cluster:Cluster";
      expect(out.types[clusterType]).toBe(1);
    },
    120_000,
  );

  it("a type error fails the load, so the check above really type-checks", () => {
    fs.writeFileSync(PROBE, 'const n: number = "not a number";\nexport default n;\n');
    const res = load(["dev"], path.relative(ROOT, PROBE));
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/TS2322/);
  }, 120_000);
});
