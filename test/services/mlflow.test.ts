/**
 * MLflow's Host-header check against the real matching semantics: MLflow
 * (>= 3.5, mlflow/server/security_utils.py is_allowed_host_header) accepts a
 * Host when it equals an allowed entry or, for entries holding `*`, when
 * Python's fnmatch matches it. The test runs exactly that rule in python3 on
 * the list the platform passes in MLFLOW_SERVER_ALLOWED_HOSTS.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { allowedHosts, workersFor } from "../../components/services/mlflowServer";
import { haveTool } from "../helpers/tools";

const IS_ALLOWED = `
import fnmatch, json, sys
allowed, hosts = json.load(sys.stdin)
def is_allowed_host_header(allowed_hosts, host):
    if not host:
        return False
    if "*" in allowed_hosts:
        return True
    return any(fnmatch.fnmatch(host, a) if "*" in a else host == a for a in allowed_hosts)
print(json.dumps({h: is_allowed_host_header(allowed, h) for h in hosts}))
`;

function verdicts(allowed: string[], hosts: string[]): Record<string, boolean> {
  const res = spawnSync("python3", ["-c", IS_ALLOWED], {
    input: JSON.stringify([allowed, hosts]),
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

describe.runIf(haveTool("python3", "python3"))(
  "MLflow allowed hosts (Python fnmatch, as MLflow matches)",
  () => {
    const list = allowedHosts("mlflow", ["mlflow.ml.example.com"]);

    it("accepts every name clients use: the Service DNS names with and without the port, the configured host name", () => {
      const hosts = [
        "mlflow.mlflow.svc.cluster.local:5000",
        "mlflow.mlflow.svc.cluster.local",
        "mlflow.mlflow.svc:5000",
        "mlflow.mlflow:5000",
        "mlflow:5000",
        "mlflow.ml.example.com",
        "mlflow.ml.example.com:443",
      ];
      expect(verdicts(list, hosts)).toEqual(Object.fromEntries(hosts.map((h) => [h, true])));
    });

    it("keeps MLflow's defaults that probes, port-forwards and scrapes of pod IPs rely on", () => {
      const hosts = [
        "localhost:5000",
        "127.0.0.1:5000",
        "[::1]:5000",
        "10.4.2.7:5000",
        "172.20.1.1:5000",
        "192.168.0.9:5000",
      ];
      expect(verdicts(list, hosts)).toEqual(Object.fromEntries(hosts.map((h) => [h, true])));
    });

    it("still refuses other names (DNS rebinding) and public addresses", () => {
      const hosts = [
        "evil.example.com",
        "mlflow.attacker.com:5000",
        "mlflow.other:5000",
        "8.8.8.8:5000",
        "172.32.0.1:5000",
      ];
      expect(verdicts(list, hosts)).toEqual(Object.fromEntries(hosts.map((h) => [h, false])));
    });

    it("the check can fail: without the Service names the in-cluster URL is refused (MLflow >= 3.5's default)", () => {
      const defaultsOnly = list.filter((h) => !h.startsWith("mlflow"));
      expect(verdicts(defaultsOnly, ["mlflow.mlflow.svc.cluster.local:5000"])).toEqual({
        "mlflow.mlflow.svc.cluster.local:5000": false,
      });
    });
  },
);

describe("server workers from the memory limit", () => {
  it.each([
    ["512Mi", 1],
    ["1Gi", 2],
    ["2Gi", 4],
    ["4Gi", 8],
    ["16Gi", 8],
    ["256Mi", 1],
  ])("%s -> %i", (limit, workers) => {
    expect(workersFor(limit)).toBe(workers);
  });
});
