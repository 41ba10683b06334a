/**
 * Starts the policy pack's process as `pulumi preview --policy-pack` does
 * (`@pulumi/pulumi/cmd/run-policy-pack` in the pack directory, serving the
 * analyzer over gRPC on loopback), through ./run-pack.cjs: the CLI's runner with
 * the pack transpiled instead of type-checked (`tsc` in `npm test` is the pack's
 * type check), unless `typeCheck` asks for the CLI's registration as it is.
 * Deliberately light (no gRPC, no Pulumi SDK), so a caller can start it first
 * and load everything else while the child loads the pack.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

export const PACK_DIR = path.resolve(__dirname, "..", "..", "policies");

export interface SpawnedPack {
  child: ChildProcess;
  /** The loopback port the analyzer listens on, once the pack is loaded. */
  port: Promise<string>;
}

export interface PackOptions {
  /** Type-check the pack as the CLI does (about 5 s more CPU); default false. */
  typeCheck?: boolean;
  /** Where the runner writes the ts-node options and compiled files when stopped (tests). */
  report?: string;
  /** Node options for the pack's process (the bench's `--cpu-prof`). */
  execArgv?: string[];
}

export function spawnPack(packDir = PACK_DIR, opts: PackOptions = {}): SpawnedPack {
  const env = { ...process.env };
  delete env.MLOPS_PACK_TYPECHECK;
  delete env.MLOPS_PACK_REPORT;
  if (opts.typeCheck) env.MLOPS_PACK_TYPECHECK = "true";
  if (opts.report) env.MLOPS_PACK_REPORT = opts.report;
  const child = spawn(
    process.execPath,
    [...(opts.execArgv ?? []), path.join(__dirname, "run-pack.cjs"), "127.0.0.1:0", "."],
    {
      cwd: packDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const port = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/^(\d+)\s*$/m);
      if (m) resolve(m[1]);
    });
    child.stderr!.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      reject(new Error(`policy pack exited (${code}) before serving:\n${err}`)),
    );
  });
  // A caller that never connects must not crash the process with an unhandled rejection.
  port.catch(() => undefined);
  return { child, port };
}
