/**
 * Argo Rollouts' measurement phase for a condition pair and a Prometheus result, decided by
 * test/tools/argo-eval (Go, with the expression library the controller uses). Built once
 * per test file into a temporary directory, which the file removes when it ends (Go's own
 * build cache, kept across runs, makes the second build a link).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { haveTool } from "./tools";

const EXPR_SRC = "/usr/share/gocode/src/github.com/antonmedv/expr";
let binary: string | undefined;

/**
 * Whether the evaluator can be built here (go and Debian's expr sources); see haveTool. Call it
 * at the top of the test file: the file's afterAll removes the build.
 */
export function haveArgoEval(): boolean {
  afterAll(() => {
    if (binary) fs.rmSync(path.dirname(binary), { recursive: true, force: true });
    binary = undefined;
  });
  if (!haveTool("go", "golang-go")) return false;
  if (!fs.existsSync(EXPR_SRC)) {
    const why = `${EXPR_SRC} is missing (Debian package golang-github-antonmedv-expr-dev; .ci/run installs it)`;
    if (process.env.CI === "true") throw new Error(`${why}, which CI does not allow.`);
    console.warn(`SKIPPED: ${why}.`);
    return false;
  }
  return true;
}

function build(): string {
  if (binary) return binary;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "argo-eval-"));
  const out = path.join(dir, "argo-eval");
  const res = spawnSync(
    "go",
    ["build", "-o", out, path.join(__dirname, "../tools/argo-eval/main.go")],
    {
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...process.env,
        GO111MODULE: "off",
        GOPATH: "/usr/share/gocode",
        GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), "mlops-go-cache"),
        GOFLAGS: "",
      },
    },
  );
  if (res.status !== 0) throw new Error(`go build argo-eval failed: ${res.stderr}`);
  binary = out;
  return out;
}

export interface Measurement {
  successCondition?: string;
  failureCondition?: string;
  /** Sample values as Prometheus writes them ("0.5", "NaN"). */
  result: string[];
}

export type Phase = "Successful" | "Failed" | "Inconclusive" | `Error: ${string}`;

export function argoPhases(measurements: Measurement[]): Phase[] {
  return run(measurements) as Phase[];
}

/** Evaluates expressions with antonmedv/expr (Argo CD notification triggers): "true" / "false" / "Error: ...". */
export function evalExpressions(items: { expression: string; env: object }[]): string[] {
  return run(items);
}

/** Renders Go text/template templates (Argo CD notification templates). */
export function renderGoTemplates(items: { template: string; data: object }[]): string[] {
  return run(items);
}

function run(items: object[]): string[] {
  const res = spawnSync(build(), [], {
    input: JSON.stringify(items),
    encoding: "utf8",
    timeout: 30_000,
  });
  if (res.status !== 0) throw new Error(`argo-eval: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[];
}
