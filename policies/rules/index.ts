/**
 * Every rule of the pack, in one list, grouped by cloud and service. Tests and
 * the offline runner import this, not ../index.ts (which starts the analyzer).
 */
import type { Rule } from "../lib/rule";
import { argoRules } from "./argo";
import { ec2Rules } from "./aws/ec2";
import { eksRules } from "./aws/eks";
import { kmsRules } from "./aws/kms";
import { logsRules } from "./aws/logs";
import { rdsRules } from "./aws/rds";
import { s3Rules } from "./aws/s3";
import { vpcRules } from "./aws/vpc";
import { costRules, coverageGuard } from "./cost";
import { databaseRules } from "./database";
import { cloudSqlRules } from "./gcp/cloudsql";
import { gcsRules } from "./gcp/gcs";
import { gcpIamRules } from "./gcp/iam";
import { gcpNetworkRules } from "./gcp/network";
import { iamRules } from "./aws/iam";
import { gkeRules } from "./gcp/gke";
import { podRules } from "./kubernetes/pods";
import { apiRules, configMapRules, hardeningRules } from "./kubernetes/hardening";
import { rbacRules } from "./kubernetes/rbac";
import { serverRules, wiringRules } from "./kubernetes/servers";
import { storageRules } from "./kubernetes/storage";

export const gcpRules: Rule[] = [
  ...gkeRules,
  ...cloudSqlRules,
  ...gcsRules,
  ...gcpIamRules,
  ...gcpNetworkRules,
];
export const awsRules: Rule[] = [
  ...eksRules,
  ...ec2Rules,
  ...rdsRules,
  ...s3Rules,
  ...kmsRules,
  ...iamRules,
  ...logsRules,
  ...vpcRules,
];
export const kubernetesRules: Rule[] = [
  ...podRules,
  ...hardeningRules,
  ...configMapRules,
  ...apiRules,
  ...rbacRules,
  ...serverRules,
  ...wiringRules,
  ...storageRules,
];

const base: Rule[] = [
  ...gcpRules,
  ...awsRules,
  ...kubernetesRules,
  ...databaseRules,
  ...argoRules,
  ...costRules,
];
export const allRules: Rule[] = [...base, coverageGuard(base)];
export { argoRules, costRules };
