/**
 * The pack's process (scripts/lib/run-pack.cjs) is the CLI's runner, run-policy-pack, with the
 * pack transpiled instead of type-checked. These tests hold that to what it claims: the CLI's
 * own type-checked registration loads the pack and serves the same policies; the check's
 * runner changes nothing in run.js's ts-node options but the type check (and the transpiler,
 * SWC); and `tsc -p
 * tsconfig.json` (npm test) holds every file the pack compiles.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { allRules } from "../../policies/rules";
import { spawnPack } from "../../scripts/lib/packProcess";
import { PackSession } from "../../scripts/lib/policyEngine";
import { SPAWN_TEST_TIMEOUT_MS } from "../helpers/timeouts";

const ROOT = path.resolve(__dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-pack-runner-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Loaded {
  policies: string[];
  registered: Record<string, unknown>;
  used: Record<string, unknown>;
  files: string[];
}

/** Starts the pack, reads its policies over gRPC, stops it and reads the runner's report. */
async function load(typeCheck: boolean): Promise<Loaded> {
  const report = path.join(dir, `${typeCheck ? "cli" : "check"}.json`);
  const spawned = spawnPack(undefined, { typeCheck, report });
  const exited = new Promise((resolve) => spawned.child.on("exit", resolve));
  const session = await PackSession.start(undefined, spawned);
  const policies = session.policies.map((p) => p.name);
  session.close();
  await exited;
  return { policies, ...JSON.parse(fs.readFileSync(report, "utf8")) };
}

let both: Promise<[Loaded, Loaded]> | undefined;
const loaded = () => (both ??= Promise.all([load(true), load(false)]));

describe("the pack's process: the CLI's runner, transpiled", () => {
  it(
    "the CLI's own type-checked registration loads the pack, and both serve every rule",
    async () => {
      const [cli, check] = await loaded();
      const names = allRules.map((r) => r.name).sort();
      expect([...cli.policies].sort()).toEqual(names);
      expect([...check.policies].sort()).toEqual(names);
      expect(cli.used).toEqual(cli.registered);
      expect(cli.used.typeCheck).toBe(true);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it(
    "the check's runner keeps every ts-node option run.js passes but the type check and the transpiler",
    async () => {
      const [cli, check] = await loaded();
      expect(check.registered).toEqual(cli.registered);
      expect(check.used).toEqual({
        ...cli.registered,
        typeCheck: false,
        transpileOnly: true,
        swc: true,
      });
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it(
    "tsc -p tsconfig.json (npm test) holds every file the pack compiles",
    async () => {
      const ts = await import("typescript");
      const parsed = ts.parseJsonConfigFileContent(
        ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile).config,
        ts.sys,
        ROOT,
      );
      const checked = new Set(parsed.fileNames.map((f) => path.relative(ROOT, f)));
      const [cli, check] = await loaded();
      expect(check.files).toEqual(cli.files);
      expect(check.files).toContain(path.join("policies", "index.ts"));
      expect(check.files.length).toBeGreaterThan(20);
      expect(check.files.filter((f) => !checked.has(f))).toEqual([]);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );
});
