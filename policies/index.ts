/**
 * The mlops-platform CrossGuard pack. This file only builds the PolicyPack
 * (constructing it starts the analyzer's gRPC server); rules live in ./rules.
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
 */
import { PolicyPack } from "@pulumi/policy";
import { allRules } from "./rules";

new PolicyPack("mlops-platform", {
  enforcementLevel: "advisory",
  policies: allRules,
});
