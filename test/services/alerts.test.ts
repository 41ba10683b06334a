/**
 * The platform's alert rules against the real thing: every expression parses
 * with the official PromQL grammar (@prometheus-io/lezer-promql), the rule file
 * passes `promtool check rules`, and `promtool test rules` shows each alert
 * firing on synthetic series where it should and staying silent where it should
 * not — including across a pod restart, which the pre-fix expressions missed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { analysisTemplates } from "../../components/services/argoRollouts";
import { RUNBOOKS, platformAlertRules } from "../../components/services/monitoring";
import { haveTool, promqlErrors } from "../helpers/tools";
import { ENV_DEFAULTS } from "../../stacks/defaults";

const ROOT = path.resolve(__dirname, "..", "..");
const groups = platformAlertRules();
const rules = groups.flatMap((g) => g.rules);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-alerts-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("PromQL parses with the official grammar", () => {
  it.each(rules.map((r) => [r.alert, r.expr]))("alert %s", (_name, expr) => {
    expect(promqlErrors(expr)).toEqual([]);
  });

  const templates = analysisTemplates("http://prometheus:9090", {
    ...ENV_DEFAULTS.prod.canary,
  });
  const queries = Object.entries(templates).flatMap(([t, model]) =>
    (model.spec?.metrics ?? []).map((m) => [
      `${t}/${m.name}`,
      // Argo Rollouts substitutes {{args.*}} before the query reaches Prometheus.
      String(m.provider.prometheus?.query).replace(/\{\{\s*args\.[\w-]+\s*\}\}/g, "x"),
    ]),
  );
  it.each(queries)("analysis query %s", (_name, query) => {
    expect(promqlErrors(query)).toEqual([]);
  });

  it("a broken expression is caught (the seeds' `change(...)` is not a PromQL function)", () => {
    expect(promqlErrors("change(model_prediction_accuracy[1d]) > 0.02")).not.toEqual([]);
    expect(promqlErrors("sum(rate(http_requests_total[5m])")).not.toEqual([]);
  });
});

describe("alert metadata", () => {
  const doc = fs.readFileSync(path.join(ROOT, RUNBOOKS), "utf8");
  const anchors = new Set([...doc.matchAll(/^## (\S+)$/gm)].map((m) => m[1]));
  it.each(rules.map((r) => [r.alert, r]))(
    "%s has a severity, a summary and a runbook section",
    (_n, r) => {
      expect(["critical", "warning", "info"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      const [file, anchor] = r.annotations.runbook.split("#");
      expect(file).toBe(RUNBOOKS);
      expect(anchors.has(anchor), `no "## ${anchor}" in ${RUNBOOKS}`).toBe(true);
    },
  );
});

/** `{{ $labels.x }}` expanded the way Prometheus does for these simple templates. */
const render = (template: string, labels: Record<string, string>) =>
  template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, k: string) => labels[k] ?? "");

function expectAlert(alertname: string, at: string, labels: Record<string, string>) {
  const r = rules.find((x) => x.alert === alertname)!;
  const all = { ...labels, severity: r.labels.severity };
  return {
    eval_time: at,
    alertname,
    exp_alerts: [
      {
        exp_labels: all,
        exp_annotations: {
          summary: render(r.annotations.summary, all),
          runbook: r.annotations.runbook,
        },
      },
    ],
  };
}
const silent = (alertname: string, at: string) => ({ eval_time: at, alertname, exp_alerts: [] });

const M = 'namespace="models",service="fraud"';
const svc = { namespace: "models", service: "fraud" };
const gpu = { Hostname: "gpu-node-1", gpu: "0" };
const G = 'Hostname="gpu-node-1",gpu="0"';

/** promtool unit tests: [title, interval, series, expectations]. */
const SCENARIOS: [string, string, Record<string, string>, object[]][] = [
  [
    "ModelHighErrorRate fires at 10% errors, silent at none",
    "1m",
    {
      [`http_requests_total{${M},pod="fraud-a",status="500"}`]: "0+6x30",
      [`http_requests_total{${M},pod="fraud-a",status="200"}`]: "0+54x30",
      [`http_requests_total{namespace="models",service="ok",pod="ok-a",status="200"}`]: "0+60x30",
    },
    [expectAlert("ModelHighErrorRate", "20m", svc), silent("ModelHighErrorRate", "3m")],
  ],
  [
    "ModelHighP95Latency fires when requests take ~1s, silent under 100ms",
    "1m",
    {
      [`http_request_duration_seconds_bucket{${M},pod="a",le="0.1"}`]: "0x30",
      [`http_request_duration_seconds_bucket{${M},pod="a",le="1"}`]: "0+60x30",
      [`http_request_duration_seconds_bucket{${M},pod="a",le="+Inf"}`]: "0+60x30",
      ['http_request_duration_seconds_bucket{namespace="models",service="ok",pod="b",le="0.1"}']:
        "0+60x30",
      ['http_request_duration_seconds_bucket{namespace="models",service="ok",pod="b",le="1"}']:
        "0+60x30",
      ['http_request_duration_seconds_bucket{namespace="models",service="ok",pod="b",le="+Inf"}']:
        "0+60x30",
    },
    [expectAlert("ModelHighP95Latency", "25m", svc)],
  ],
  [
    "ModelQualityDrop fires across a pod restart (yesterday on pod a, today on pod b)",
    "1h",
    {
      [`model_precision{${M},pod="fraud-a"}`]: "0.95x22",
      [`model_precision{${M},pod="fraud-b"}`]: "_x23 0.80x24",
    },
    [expectAlert("ModelQualityDrop", "47h", svc), silent("ModelQualityDrop", "20h")],
  ],
  [
    "ModelQualityDrop stays silent when precision holds across a restart",
    "1h",
    {
      [`model_precision{${M},pod="fraud-a"}`]: "0.95x22",
      [`model_precision{${M},pod="fraud-b"}`]: "_x23 0.94x24",
    },
    [silent("ModelQualityDrop", "47h")],
  ],
  [
    "ModelPredictionDrift fires when the positive share goes from 10% to 20%",
    "5m",
    {
      [`model_predictions_total{${M},pod="a",outcome="positive"}`]: "0+10x288 2900+20x287",
      [`model_predictions_total{${M},pod="a",outcome="negative"}`]: "0+90x288 26000+80x287",
    },
    [expectAlert("ModelPredictionDrift", "47h", svc), silent("ModelPredictionDrift", "23h")],
  ],
  [
    "ModelPredictionDrift stays silent on a steady share with twice the traffic",
    "5m",
    {
      [`model_predictions_total{${M},pod="a",outcome="positive"}`]: "0+10x288 2900+20x287",
      [`model_predictions_total{${M},pod="a",outcome="negative"}`]: "0+90x288 26100+180x287",
    },
    [silent("ModelPredictionDrift", "47h")],
  ],
  [
    "GPU alerts fire on XID errors, heat and idle allocation",
    "1m",
    {
      [`DCGM_FI_DEV_XID_ERRORS{${G},pod="dcgm-1"}`]: "0 0 0 43x200",
      [`DCGM_FI_DEV_GPU_TEMP{${G},pod="dcgm-1"}`]: "90x200",
      [`DCGM_FI_DEV_GPU_UTIL{${G},pod="dcgm-1"}`]: "1x200",
      [`DCGM_FI_DEV_FB_USED{${G},pod="dcgm-1"}`]: "1000x200",
    },
    [
      expectAlert("GpuXidErrors", "15m", gpu),
      silent("GpuXidErrors", "2m"),
      expectAlert("GpuHighTemperature", "15m", gpu),
      expectAlert("GpuIdleButAllocated", "150m", gpu),
      silent("GpuIdleButAllocated", "60m"),
    ],
  ],
  [
    "GPU alerts stay silent on a healthy, busy GPU",
    "1m",
    {
      [`DCGM_FI_DEV_XID_ERRORS{${G}}`]: "0x200",
      [`DCGM_FI_DEV_GPU_TEMP{${G}}`]: "60x200",
      [`DCGM_FI_DEV_GPU_UTIL{${G}}`]: "80x200",
      [`DCGM_FI_DEV_FB_USED{${G}}`]: "1000x200",
    },
    [
      silent("GpuXidErrors", "150m"),
      silent("GpuHighTemperature", "150m"),
      silent("GpuIdleButAllocated", "150m"),
    ],
  ],
];

function promtool(args: string[]) {
  return spawnSync("promtool", args, { cwd: tmp, encoding: "utf8", timeout: 60_000 });
}

describe.runIf(haveTool("promtool", "prometheus"))("promtool (Debian's prometheus package)", () => {
  const rulesFile = path.join(tmp, "rules.yaml");
  fs.writeFileSync(rulesFile, stringify({ groups }));

  it("promtool check rules accepts the rule file", () => {
    const res = promtool(["check", "rules", rulesFile]);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it("promtool test rules: every scenario", () => {
    const testFile = path.join(tmp, "tests.yaml");
    fs.writeFileSync(
      testFile,
      stringify({
        rule_files: ["rules.yaml"],
        // Coarser than Prometheus' default: every `for` is a multiple of 5m, and the day-long scenarios stay fast.
        evaluation_interval: "5m",
        tests: SCENARIOS.map(([name, interval, series, alert_rule_test]) => ({
          name,
          interval,
          input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
          alert_rule_test,
        })),
      }),
    );
    const res = promtool(["test", "rules", testFile]);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/SUCCESS/);
  });

  it("the scenarios can fail: the pre-fix quality expression (one-to-one on pod) misses the restart", () => {
    const old = {
      groups: [
        {
          name: "old",
          rules: [
            {
              alert: "ModelQualityDrop",
              expr: 'avg_over_time(model_precision{namespace="models"}[1d]) < avg_over_time(model_precision{namespace="models"}[1d] offset 1d) - 0.05',
              for: "1h",
              labels: { severity: "warning" },
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(tmp, "old.yaml"), stringify(old));
    const [name, interval, series] = SCENARIOS[2];
    fs.writeFileSync(
      path.join(tmp, "old-tests.yaml"),
      stringify({
        rule_files: ["old.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            name,
            interval,
            input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
            alert_rule_test: [
              {
                eval_time: "47h",
                alertname: "ModelQualityDrop",
                exp_alerts: [{ exp_labels: { ...svc, severity: "warning" } }],
              },
            ],
          },
        ],
      }),
    );
    const res = promtool(["test", "rules", "old-tests.yaml"]);
    expect(res.status).not.toBe(0);
    expect(res.stdout + res.stderr).toMatch(/FAILED/);
  });
});

describe("a missing upstream tool", () => {
  it("is a skip with a reason locally, and a failure under CI=true", () => {
    const ci = process.env.CI;
    try {
      delete process.env.CI;
      expect(haveTool("no-such-tool-mlops", "none")).toBe(false);
      process.env.CI = "true";
      expect(() => haveTool("no-such-tool-mlops", "none")).toThrow(/CI does not allow/);
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });
});
