/**
 * The offline config check of the cluster layer: the services' own validation
 * (argoCdProblems, mlflowServerProblems, alertingProblems) run on the settings
 * the cluster layer would pass them, each problem reported under the config
 * key the user edits. Runs for every cloud.
 */
import { PROJECT, type PlatformConfig } from "../model";
import { toConfigProblems, type ConfigProblem } from "../lib/validation";
import { argoCdProblems } from "./argoCd";
import { mlflowServerProblems } from "./mlflowServer";
import { alertingProblems } from "./monitoring";

const k = (path: string) => `${PROJECT}:${path}`;

export const SERVICES_CONFIG_KEYS = {
  argocd: {
    environment: k("environment"),
    gitops: k("gitops"),
    sso: k("gitops.sso"),
    oidcClientSecret: k("argocdOidcClientSecret"),
    repoSecret: k("gitopsRepoSecret"),
    notificationsKey: k("gitopsNotificationsPrivateKey"),
  },
  mlflow: {
    image: k("mlflow.image"),
    uid: k("mlflow.uid"),
    replicas: k("mlflow.replicas"),
    requests: k("mlflow.requests"),
    limits: k("mlflow.limits"),
    clientNamespaces: k("mlflow.clientNamespaces"),
    hostnames: k("mlflow.hostnames"),
    auth: k("mlflow.auth"),
  },
  alerting: {
    alerting: k("alerting"),
    "alertingSecrets.slackWebhookUrl": k("alertingSlackWebhookUrl"),
    "alertingSecrets.pagerdutyRoutingKey": k("alertingPagerdutyRoutingKey"),
  },
};

export function servicesConfigProblems(c: PlatformConfig): ConfigProblem[] {
  const argocd = argoCdProblems({
    environment: c.environment,
    gitops: c.gitops,
    sso: c.gitops.sso,
    oidcClientSecret: c.argocdOidcClientSecret,
    repoSecret: c.gitopsRepoSecret,
    notificationsKey: c.gitopsNotificationsPrivateKey,
  });
  const mlflow = mlflowServerProblems(c.mlflow);
  const alerting = alertingProblems(c.environment, c.alerting, {
    slackWebhookUrl: c.alertingSlackWebhookUrl !== undefined,
    pagerdutyRoutingKey: c.alertingPagerdutyRoutingKey !== undefined,
    webhookToken: c.alertingWebhookToken !== undefined,
    emailPassword: c.alertingEmailPassword !== undefined,
  });
  return [
    ...toConfigProblems("ArgoCd", argocd, SERVICES_CONFIG_KEYS.argocd),
    ...toConfigProblems("MlflowServer", mlflow, SERVICES_CONFIG_KEYS.mlflow),
    ...toConfigProblems("Monitoring", alerting, SERVICES_CONFIG_KEYS.alerting),
  ];
}
