/**
 * The Alertmanager configuration against the real tool: `amtool check-config`
 * (Debian's prometheus-alertmanager) accepts what the platform generates for
 * every receiver, and `amtool config routes test` shows where each severity
 * goes. Secrets are referenced by *_file paths only.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  RECEIVER_SECRET,
  alertmanagerConfig,
  alertingProblems,
  type AlertingSettings,
} from "../../components/services/monitoring";
import { haveTool } from "../helpers/tools";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-am-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ALL: AlertingSettings = {
  slack: { channel: "#ml-alerts" },
  pagerduty: {},
  webhook: { url: "https://alerts.example.com/hook" },
  email: {
    to: "oncall@example.com",
    from: "am@example.com",
    smarthost: "smtp.example.com:587",
    username: "am",
  },
};
const SECRETS = {
  slackWebhookUrl: true,
  pagerdutyRoutingKey: true,
  webhookToken: true,
  emailPassword: true,
};
const NONE = {
  slackWebhookUrl: false,
  pagerdutyRoutingKey: false,
  webhookToken: false,
  emailPassword: false,
};

/** Our config as the chart renders it: merged over its defaults (kube-prometheus-stack values.yaml alertmanager.config). */
function write(name: string, a: AlertingSettings, secrets: typeof SECRETS) {
  const file = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      global: { resolve_timeout: "5m" },
      ...alertmanagerConfig(a, secrets),
      templates: ["/etc/alertmanager/config/*.tmpl"],
    }),
  );
  return file;
}

const amtool = (...args: string[]) =>
  spawnSync("amtool", args, { encoding: "utf8", timeout: 30_000 });

describe("receiver secrets stay out of the config", () => {
  it("every secret is a *_file path under the mounted Secret", () => {
    const text = JSON.stringify(alertmanagerConfig(ALL, SECRETS));
    const files = [...text.matchAll(/"(\w+_file)":"([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(files.map((f) => f[0]).sort()).toEqual([
      "api_url_file",
      "api_url_file",
      "auth_password_file",
      "auth_password_file",
      "credentials_file",
      "credentials_file",
      "routing_key_file",
    ]);
    for (const [, p] of files)
      expect(p.startsWith(`/etc/alertmanager/secrets/${RECEIVER_SECRET}/`)).toBe(true);
  });

  it("a receiver without its secret is a problem; prod without any receiver is a problem", () => {
    expect(
      alertingProblems("dev", { slack: { channel: "#x" } }, NONE).map((p) => p.propertyPath),
    ).toEqual(["alertingSecrets.slackWebhookUrl"]);
    expect(alertingProblems("prod", {}, NONE).map((p) => p.propertyPath)).toEqual(["alerting"]);
    expect(alertingProblems("dev", {}, NONE)).toEqual([]);
    expect(alertingProblems("prod", ALL, SECRETS)).toEqual([]);
  });
});

describe.runIf(haveTool("amtool", "prometheus-alertmanager"))(
  "amtool (Debian's prometheus-alertmanager)",
  () => {
    it.each([
      ["every receiver", ALL, SECRETS],
      ["no receiver (dev)", {}, NONE],
      ["pagerduty only", { pagerduty: {} }, { ...NONE, pagerdutyRoutingKey: true }],
      ["webhook without a token", { webhook: { url: "https://alerts.example.com/hook" } }, NONE],
    ] as const)("check-config accepts: %s", (name, a, secrets) => {
      const res = amtool("check-config", write(name.replace(/\W+/g, "-"), a, secrets));
      expect(res.status, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toMatch(/SUCCESS/);
    });

    it("routes: critical pages, warnings and infos go to the team, Watchdog to null", () => {
      const file = write("routes", ALL, SECRETS);
      const route = (...labels: string[]) =>
        amtool("config", "routes", "test", `--config.file=${file}`, ...labels).stdout.trim();
      expect(route("severity=critical", "alertname=ModelHighErrorRate")).toBe("critical");
      expect(route("severity=warning", "alertname=ModelHighP95Latency")).toBe("default");
      expect(route("severity=info", "alertname=GpuIdleButAllocated")).toBe("default");
      expect(route("alertname=Watchdog", "severity=none")).toBe("null");
    });

    it("the check can fail: amtool refuses a receiver with a typo'd field", () => {
      const file = path.join(tmp, "broken.yaml");
      const cfg = alertmanagerConfig(ALL, SECRETS) as any;
      cfg.receivers[1].slack_configs[0].api_url_fil =
        cfg.receivers[1].slack_configs[0].api_url_file;
      delete cfg.receivers[1].slack_configs[0].api_url_file;
      fs.writeFileSync(file, stringify(cfg));
      expect(amtool("check-config", file).status).not.toBe(0);
    });
  },
);
