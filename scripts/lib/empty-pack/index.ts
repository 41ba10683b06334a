/**
 * A policy pack with no policies: `npm run bench` drives it through the same
 * gRPC path as the real pack, so the cost the real pack adds over the SDK's own
 * per-call floor (serialization, the unknown-checking proxy, gRPC) is visible.
 */
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("empty", { enforcementLevel: "advisory", policies: [] });
