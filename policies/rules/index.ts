/** Every rule of the pack, in one list. Tests and the offline runner import this, not ../index.ts. */
import type { Rule } from "../lib/rule";
import { argoRules } from "./argo";
import { awsRules } from "./aws";
import { costRules, coverageGuard } from "./cost";
import { gcpRules } from "./gcp";
import { kubernetesRules } from "./kubernetes";

const base: Rule[] = [...gcpRules, ...awsRules, ...kubernetesRules, ...argoRules, ...costRules];
export const allRules: Rule[] = [...base, coverageGuard(base)];
export { argoRules, awsRules, costRules, gcpRules, kubernetesRules };
