/**
 * Argo CD notifications that turn model syncs into GitHub commit statuses mlops/<env>/<model>:
 * trigger conditions evaluated with the expression engine Argo CD uses (antonmedv/expr), the
 * message templates rendered with Go's text/template, on Application objects as Argo CD holds
 * them; and the stack wiring (secret, subscriptions, refused config).
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  MODEL_STATUS_TRIGGERS,
  argoCdValues,
  commitStatusNotifications,
} from "../../components/services/argoCd";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { evalExpressions, haveArgoEval, renderGoTemplates } from "../helpers/argoEval";
import { runStack } from "../helpers/stack";

const APP = { appId: 123456, installationId: 7890 };
const ready = haveArgoEval();
const n = commitStatusNotifications("prod", APP);

/** An Application as Argo CD holds it after a sync of models/fraud at revision abc123. */
const app = (phase: string, health: string) => ({
  metadata: { name: "model-fraud", labels: { "mlops.dev/model": "fraud" } },
  spec: { source: { repoURL: "https://github.com/acme/ml-deployments.git" } },
  status: {
    health: { status: health },
    sync: { status: "Synced", revision: "abc123" },
    operationState: { phase, syncResult: { revision: "abc123" } },
  },
});

describe.skipIf(!ready)("commit-status notifications as Argo CD evaluates them", () => {
  const when = (trigger: string) =>
    parseYaml((n.triggers as Record<string, string>)[`trigger.${trigger}`])[0].when as string;
  it("deployed fires on a successful, healthy sync only; degraded and sync-failed on theirs", () => {
    const cases: [string, ReturnType<typeof app>, string][] = [
      ["mlops-on-deployed", app("Succeeded", "Healthy"), "true"],
      ["mlops-on-deployed", app("Succeeded", "Progressing"), "false"],
      ["mlops-on-deployed", app("Failed", "Healthy"), "false"],
      ["mlops-on-degraded", app("Succeeded", "Degraded"), "true"],
      ["mlops-on-degraded", app("Succeeded", "Healthy"), "false"],
      ["mlops-on-sync-failed", app("Failed", "Healthy"), "true"],
      ["mlops-on-sync-failed", app("Error", "Missing"), "true"],
      ["mlops-on-sync-failed", app("Succeeded", "Healthy"), "false"],
    ];
    expect(
      evalExpressions(cases.map(([t, a]) => ({ expression: when(t), env: { app: a } }))),
    ).toEqual(cases.map((c) => c[2]));
  });
  it("the templates name the status mlops/prod/<model> on the synced revision, success or failure", () => {
    const data = {
      app: app("Succeeded", "Healthy"),
      context: { argocdUrl: "https://argocd.acme.dev" },
    };
    const rendered = renderGoTemplates(
      ["mlops-deployed", "mlops-degraded"].map((t) => ({
        template: (n.templates as Record<string, string>)[`template.${t}`],
        data,
      })),
    ).map((r) => parseYaml(r));
    expect(rendered[0].github).toEqual({
      repoURLPath: "https://github.com/acme/ml-deployments.git",
      revisionPath: "abc123",
      status: {
        state: "success",
        label: "mlops/prod/fraud",
        targetURL: "https://argocd.acme.dev/applications/model-fraud?operation=true",
      },
    });
    expect(rendered[1].github.status).toMatchObject({
      state: "failure",
      label: "mlops/prod/fraud",
    });
  });
});

describe("notifications wiring", () => {
  it("chart values: the GitHub App service reads its key from our secret, which the chart does not create", () => {
    const v = argoCdValues("prod", { enabled: false }, undefined, APP).notifications as Record<
      string,
      any
    >;
    expect(v.secret).toEqual({ create: false, name: "argocd-notifications-secret" });
    expect(parseYaml(v.notifiers["service.github"])).toEqual({
      appID: 123456,
      installationID: 7890,
      privateKey: "$github-privateKey",
    });
    expect(argoCdValues("prod", { enabled: false }, undefined).notifications).not.toHaveProperty(
      "notifiers",
    );
  });

  it("a stack with gitops.notifications stores the key as a Secret and subscribes every model Application", async () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";
    const run = await runStack("dev", {
      "mlops-platform:gitops": {
        repoUrl: "https://github.com/acme/ml-deployments.git",
        targetRevision: "main",
        notifications: APP,
      },
      "mlops-platform:gitopsNotificationsPrivateKey": pem,
    });
    const secret = run
      .ofType("kubernetes:core/v1:Secret")
      .find((s) => s.inputs.metadata.name === "argocd-notifications-secret")!;
    expect(secret.inputs.stringData["github-privateKey"]).toBe(pem);
    // The key travels as a Pulumi secret (the whole stringData is marked).
    expect(secret.secretPaths.some((p) => "stringData.github-privateKey".startsWith(p))).toBe(true);
    const set = run.one("kubernetes:argoproj.io/v1alpha1:ApplicationSet").inputs.spec;
    expect(Object.keys(set.template.metadata.annotations).sort()).toEqual(
      MODEL_STATUS_TRIGGERS.map((t) => `notifications.argoproj.io/subscribe.${t}.github`).sort(),
    );
  }, 60_000);

  it("notifications without the key are refused by key, with the fix", () => {
    try {
      parseStackConfig({
        stack: "dev",
        values: {
          cluster: { authorizedNetworks: [{ name: "vpn", cidr: "198.51.100.0/24" }] },
          gitops: { notifications: APP },
        },
        gcp: { project: "acme-ml", region: "us-central1" },
        allowPlaceholders: true,
      });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toContainEqual({
        key: "mlops-platform:gitopsNotificationsPrivateKey",
        reason: expect.stringMatching(/is required with gitops.notifications/),
      });
    }
  });
});
