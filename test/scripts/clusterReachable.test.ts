/**
 * The CI gate that makes preview and drift fail on an unreachable cluster, run
 * with the real kubectl against a Kubernetes-style /readyz on 127.0.0.1 and
 * against a closed port. Only `pulumi` is a stand-in (no CLI here): it prints
 * what `pulumi stack output --json --show-secrets` prints, a JSON object of outputs.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haveTool } from "../helpers/tools";

const SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "ci", "cluster-reachable.sh");
const run = promisify(execFile);
let tmp: string;
let server: http.Server;
let port: number;
const seen: string[] = [];

function kubeconfig(server: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server } }],
    users: [{ name: "u", user: {} }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  });
}

/** Runs the gate with a stand-in `pulumi` that prints `outputs` for `stack`. */
async function gate(outputs: object | null, stack = "dev", scratch?: string) {
  const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
  fs.writeFileSync(path.join(bin, "outputs.json"), JSON.stringify(outputs ?? {}));
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\n[ "$*" = "stack output --stack ${stack} --json --show-secrets" ] || { echo "unexpected: $*" >&2; exit 2; }\ncat "${bin}/outputs.json"\n`,
    { mode: 0o755 },
  );
  try {
    const r = await run("bash", [SCRIPT, stack], {
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        CLUSTER_REACHABLE_TIMEOUT: "5s",
        ...(scratch ? { TMPDIR: scratch } : {}),
      },
      timeout: 30_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reachable-"));
  server = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    if (req.url?.startsWith("/readyz")) res.end("ok");
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.runIf(haveTool("kubectl", "kubernetes-client"))(
  "scripts/ci/cluster-reachable.sh (real kubectl)",
  () => {
    it("passes when the API answers /readyz", async () => {
      const r = await gate({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`) });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Stack dev: the Kubernetes API answers/);
      expect(seen.some((u) => u.startsWith("/readyz"))).toBe(true);
    });

    it("fails, naming the stack, the reason and the fix, when nothing answers", async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const dead = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const r = await gate({ kubeconfig: kubeconfig(`http://127.0.0.1:${dead}`) }, "prod");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^::error title=Kubernetes API unreachable::Stack prod:/m);
      expect(r.stdout).toMatch(/127\.0\.0\.1:\d+ was refused/);
      expect(r.stdout).toMatch(/cluster\.authorizedNetworks/);
      expect(r.stdout).toMatch(/PULUMI_RUNNER/);
    });

    it("lets a stack without a cluster yet through (the first deploy creates it)", async () => {
      const r = await gate({ clusterName: "x" });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/no kubeconfig output yet/);
    });

    it("never prints the kubeconfig and leaves no copy behind", async () => {
      const marker = `http://127.0.0.1:${port}/#secret-marker`;
      const scratch = fs.mkdtempSync(path.join(tmp, "scratch-"));
      const r = await gate({ kubeconfig: kubeconfig(marker) }, "dev", scratch);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain("secret-marker");
      expect(fs.readdirSync(scratch)).toEqual([]);
    });
  },
);
