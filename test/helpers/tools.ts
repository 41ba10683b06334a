/**
 * The upstream tools the tests check against: the official PromQL grammar and
 * Debian's Prometheus binaries (promtool, amtool, prometheus), which `.ci/run`
 * installs. Locally a missing binary skips its tests with the reason printed;
 * under CI=true it fails them, so CI can never pass by skipping.
 */
import { spawnSync } from "node:child_process";

export { promqlErrors } from "../../scripts/lib/promql";

/** Path of a binary on PATH, or undefined. */
export function which(tool: string): string | undefined {
  const res = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

/**
 * Whether `tool` can run here. When it is missing: under CI=true this throws (CI must run
 * the real tool); otherwise it prints why the tests are skipped and returns false.
 */
export function haveTool(tool: string, debianPackage: string): boolean {
  if (which(tool)) return true;
  const why = `${tool} is not installed (Debian package ${debianPackage}; .ci/run installs it): its tests are skipped`;
  if (process.env.CI === "true") throw new Error(`${why}, which CI does not allow.`);
  console.warn(`SKIPPED: ${why}.`);
  return false;
}
