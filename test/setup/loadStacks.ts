/**
 * vitest globalSetup: loads the six shipped stacks (dev, staging, prod on each cloud) once per
 * run, the way `pulumi up` loads the entry (scripts/load-entry.cjs: the runtime's ts-node
 * registration, transpile-only since `tsc` is the type check, the shared mocks), in the
 * background, from the first moment a test file asks for it (a file marker the helpers write:
 * a run of files that never ask, such as one rules file, does not pay for it); test files
 * start at once, and those that need the load wait for it
 * (test/helpers/stack.ts `shippedLoad`, `recordedStack`):
 * - test/scripts/entry.test.ts judges the load itself (exit status, output);
 * - files that only read a shipped stack use its recording instead of running it again.
 * Files that change a stack's config still run it themselves (`runStack`).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { SPAWN_TIMEOUT_MS } from "../helpers/timeouts";

export const SHIPPED_STACKS = ["dev", "staging", "prod", "dev:aws", "staging:aws", "prod:aws"];

/**
 * The load's files: `wanted` (a test file asks for the load), `outcome` (written last, when the
 * loader exits) and `recordings`.
 */
export const LOAD_FILES = {
  wanted: "wanted",
  outcome: "load.json",
  recordings: "recordings.json",
};

export interface EntryLoad {
  status: number | null;
  stdout: string;
  stderr: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The directory the shipped stacks' load writes LOAD_FILES to. */
    shippedStacks: string;
  }
}

export default function setup(project: TestProject) {
  const root = path.resolve(__dirname, "..", "..");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-stacks-"));
  const env: NodeJS.ProcessEnv = { ...process.env, ...project.config.env };
  env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
  let child: ReturnType<typeof spawn> | undefined;
  const start = () => {
    child = spawn(
      process.execPath,
      [
        path.join(root, "scripts", "load-entry.cjs"),
        ...SHIPPED_STACKS,
        "--record",
        path.join(dir, LOAD_FILES.recordings),
      ],
      { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], timeout: SPAWN_TIMEOUT_MS },
    );
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (status, signal) => {
      const outcome: EntryLoad = {
        status,
        stdout,
        stderr: stderr + (signal ? `\n(${signal})` : ""),
      };
      if (fs.existsSync(dir))
        fs.writeFileSync(path.join(dir, LOAD_FILES.outcome), JSON.stringify(outcome));
    });
  };
  const wanted = setInterval(() => {
    if (fs.existsSync(path.join(dir, LOAD_FILES.wanted))) {
      clearInterval(wanted);
      start();
    }
  }, 50);
  project.provide("shippedStacks", dir);
  return () => {
    clearInterval(wanted);
    child?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
