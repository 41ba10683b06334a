/**
 * The mlops-platform CrossGuard pack. This file only builds the PolicyPack
 * (constructing it starts the analyzer's gRPC server); rules live in ./rules.
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
 */
// Before the SDK serves: every policy reads one deserialization of a resource (see the file).
import "./lib/deserializeOnce";
import { PolicyPack } from "@pulumi/policy";
import { allRules } from "./rules";

new PolicyPack("mlops-platform", {
  enforcementLevel: "advisory",
  policies: allRules,
});
