/**
 * The entry loads the way `pulumi up` loads it: ts-node registered as the
 * nodejs runtime registers it (project tsconfig), then the module Pulumi.yaml
 * `main` names is required under mocks with each stack's config. vitest's own
 * loader would accept code that ts-node refuses, so this runs in a separate
 * node process through scripts/load-entry.cjs (once per run, by test/setup/loadStacks.ts).
 *
 * Type checking happens once per `npm test`, in `npm run typecheck` (tsc -p
 * tsconfig.json: TypeScript 7, the native build of the checker whose JavaScript release, 6.0,
 * the runtime's ts-node uses; a test below pins that pairing). The stacks load with the
 * runtime's own switch PULUMI_NODEJS_TRANSPILE_ONLY=true, and the tests below prove the runtime's
 * type check is that same check: the options the runtime registers are the
 * tsconfig's, and every project file the stacks compile is in tsc's file list.
 * A probe shows the runtime's registration does refuse a type error.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from "../helpers/timeouts";
import { shippedLoad } from "../helpers/stack";
import { SHIPPED_STACKS } from "../setup/loadStacks";

const ROOT = path.resolve(__dirname, "..", "..");
const LOADER = path.join(ROOT, "scripts", "load-entry.cjs");
const PROBE = path.join(ROOT, "stacks", "__typecheck_probe__.ts");

/** One type-checked load (the runtime's default); the shared load is test/setup/loadStacks.ts. */
function load(targets: string[], entry: string) {
  const env = { ...process.env };
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  return spawnSync(process.execPath, [LOADER, ...targets, "--entry", entry], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: SPAWN_TIMEOUT_MS,
  });
}

/**
 * All six env x cloud stacks in one load, made once per run by test/setup/loadStacks.ts
 * (scripts/load-entry.cjs with PULUMI_NODEJS_TRANSPILE_ONLY=true; `npm run typecheck` is their
 * type check, see below); the other test files read its recordings.
 */
const STACKS = SHIPPED_STACKS;
const loadedLines = async () => {
  const res = await shippedLoad();
  expect(res.status, res.stderr).toBe(0);
  return res.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
};

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

  it("package.json's overrides keep it one: every package gets the project's @pulumi/pulumi", () => {
    // What installs it once on the next `npm install` too, not only in today's lockfile.
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.overrides["@pulumi/pulumi"]).toBe("$@pulumi/pulumi");
  });

  it("package-lock.json names every package's tarball and integrity: `npm ci` asks the registry for no metadata", () => {
    // Without `resolved`, npm ci fetches each package's metadata to find its tarball (pacote
    // lib/registry.js `manifest`); .npmrc keeps npm writing it whatever a user's npmrc says.
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const missing = Object.entries(lock.packages as Record<string, Record<string, unknown>>)
      .filter(([key, p]) => key !== "" && !p.link)
      .filter(
        ([, p]) =>
          !/^https:\/\/registry\.npmjs\.org\/.+\.tgz$/.test(String(p.resolved)) ||
          !/^sha512-/.test(String(p.integrity)),
      )
      .map(([key]) => key);
    expect(missing).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, ".npmrc"), "utf8")).toMatch(
      /^omit-lockfile-registry-resolved=false$/m,
    );
  });

  it.each(STACKS)(
    "stack %s compiles through the runtime's ts-node and registers its resources (the mocks answer every invoke)",
    async (target) => {
      const lines = await loadedLines();
      const [stack, cloud = "stack file"] = target.split(":");
      const out = lines.find((l) => l.stack === stack && l.cloud === cloud);
      expect(out, JSON.stringify(lines.map((l) => [l.stack, l.cloud]))).toBeDefined();
      expect(out.transpileOnly).toBe(true);
      expect(out.resources).toBeGreaterThan(50);
      const clusterType =
        cloud === "aws" ? "aws:eks/cluster:Cluster" : "gcp:container/cluster:Cluster";
      expect(out.types[clusterType]).toBe(1);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it("npm test type-checks with tsc -p tsconfig.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.test).toMatch(/\btypecheck\b/);
    expect(pkg.scripts.typecheck).toBe("tsc --noEmit -p tsconfig.json");
  });

  it("tsc is TypeScript 7; the runtime's ts-node, ESLint and the pack use 6.0, its API twin", () => {
    // TypeScript 7.0 (the native compiler) ships no JavaScript API; its release pairs it with
    // @typescript/typescript6 installed as `typescript` for API users (ts-node, typescript-eslint),
    // 6.0 being the last JavaScript release, aligned with 7.0's checker. @pulumi/pulumi's peer
    // range (typescript < 7) admits only the 6.0 side for the runtime's type check.
    const tsc = fs.realpathSync(path.join(ROOT, "node_modules", ".bin", "tsc"));
    const native = JSON.parse(
      fs.readFileSync(path.join(path.dirname(tsc), "..", "package.json"), "utf8"),
    );
    expect(`${native.name}@${native.version.split(".")[0]}`).toBe("typescript@7");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require("typescript") as { version: string };
    expect(api.version).toMatch(/^6\.0\./);
    // The README's `npx tsc6`: the API package's own compiler, to compare with tsc.
    const tsc6 = fs.realpathSync(path.join(ROOT, "node_modules", ".bin", "tsc6"));
    expect(
      tsc6.startsWith(fs.realpathSync(path.dirname(require.resolve("typescript/package.json")))),
    ).toBe(true);
  });

  it(
    "the runtime registers exactly the tsconfig's compiler options (its own defaults are all overridden)",
    async () => {
      // tsutils.d.ts declares nothing; the runtime's own loader (cmd/run/run.js) is what we call.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
        loadTypeScriptCompilerOptions: (tsconfig: string) => Record<string, unknown>;
      };
      const fromTsconfig = loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json"));
      // ts-node applies register()'s compilerOptions over the tsconfig's, so when every key the
      // runtime sets comes from the tsconfig, ts-node type-checks with tsc's options.
      const [first] = await loadedLines();
      expect(first.compilerOptions).toEqual(JSON.parse(JSON.stringify(fromTsconfig)));
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it(
    "the program is compiled once for the six stacks, as the runtime compiles it once per process",
    async () => {
      const [first, ...later] = await loadedLines();
      expect(first.compiled).toBe(first.files.length);
      expect(first.compiled).toBeGreaterThan(0);
      for (const l of later) expect([l.stack, l.cloud, l.compiled]).toEqual([l.stack, l.cloud, 0]);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it(
    "every project file the stacks compile is in tsc's file list",
    async () => {
      const ts = await import("typescript");
      const configPath = path.join(ROOT, "tsconfig.json");
      const parsed = ts.parseJsonConfigFileContent(
        ts.readConfigFile(configPath, ts.sys.readFile).config,
        ts.sys,
        ROOT,
      );
      const checked = new Set(parsed.fileNames.map((f) => path.relative(ROOT, f)));
      const compiled = new Set((await loadedLines()).flatMap((l) => l.files as string[]));
      expect(compiled.size).toBeGreaterThan(40);
      expect(compiled.has("stacks/index.ts")).toBe(true);
      expect([...compiled].filter((f) => !checked.has(f))).toEqual([]);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it(
    "the runtime's registration without PULUMI_NODEJS_TRANSPILE_ONLY refuses a type error",
    () => {
      fs.writeFileSync(PROBE, 'const n: number = "not a number";\nexport default n;\n');
      const res = load(["dev"], path.relative(ROOT, PROBE));
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/TS2322/);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );
});
