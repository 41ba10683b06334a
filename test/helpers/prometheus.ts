/**
 * A real Prometheus (Debian's `prometheus` package) on 127.0.0.1 over backfilled data:
 * synthetic series are written as OpenMetrics, turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics`, and served by a Prometheus with no
 * scrape targets. Started once per test file; it stops with `stop()` or by itself after
 * `maxLifetimeMs`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface PromServer {
  url: string;
  /** Instant query; the vector's sample values as Prometheus writes them ("0.5", "NaN"). */
  query(expr: string, time: number): Promise<string[]>;
  stop(): void;
}

/** Writes OpenMetrics text to TSDB blocks in a new directory; returns it. */
export function backfill(openMetrics: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-prom-"));
  const input = path.join(dir, "input.om");
  fs.writeFileSync(input, openMetrics);
  const data = path.join(dir, "data");
  const res = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", input, data], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (res.status !== 0) throw new Error(`promtool backfill failed: ${res.stderr || res.stdout}`);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(dir: string, maxLifetimeMs = 120_000): Promise<PromServer> {
  const config = path.join(dir, "prometheus.yml");
  fs.writeFileSync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=3650d",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  proc.stderr?.on("data", (d) => (stderr += String(d)));
  const killer = setTimeout(() => proc.kill("SIGKILL"), maxLifetimeMs);
  killer.unref();
  const stop = () => {
    clearTimeout(killer);
    proc.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      stop();
      throw new Error(`prometheus not ready after 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop,
    async query(expr, time) {
      const q = new URLSearchParams({ query: expr, time: String(time) });
      const res = await fetch(`${url}/api/v1/query?${q}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { resultType: string; result: { value: [number, string] }[] | [number, string] };
      };
      if (body.status !== "success") throw new Error(`${body.error}: ${expr}`);
      if (body.data.resultType === "scalar") return [(body.data.result as [number, string])[1]];
      return (body.data.result as { value: [number, string] }[]).map((s) => s.value[1]);
    },
  };
}
