/**
 * Starts the policy pack's process exactly as `pulumi preview --policy-pack`
 * does (`@pulumi/pulumi/cmd/run-policy-pack` in the pack directory, serving the
 * analyzer over gRPC on loopback). Deliberately light (no gRPC, no Pulumi SDK),
 * so a caller can start it first and load everything else while ts-node
 * type-checks the pack in the child.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

export const PACK_DIR = path.resolve(__dirname, "..", "..", "policies");

export interface SpawnedPack {
  child: ChildProcess;
  /** The loopback port the analyzer listens on, once the pack is loaded. */
  port: Promise<string>;
}

export function spawnPack(packDir = PACK_DIR): SpawnedPack {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js");
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
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
