/**
 * Runs the real stack program (the module Pulumi.yaml `main` names) under mocks
 * with the config of `Pulumi.<stack>.yaml`, optionally overridden, and returns
 * the recording and the program's exports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { inject, vi } from "vitest";
import {
  installMocks,
  programEntry,
  recordExports,
  sessionOver,
  settle,
  stackFileConfig,
  type MockSession,
  type RecordedExport,
  type RecordedResource,
} from "../../scripts/lib/mocks";
import { LOAD_FILES, SHIPPED_STACKS, type EntryLoad } from "../setup/loadStacks";
import { SPAWN_TIMEOUT_MS } from "./timeouts";

/** A stack's registrations and its exports (resolved, each with whether it is secret). */
export interface StackRun extends MockSession {
  exports: Record<string, RecordedExport>;
}

export async function runStack(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  vi.resetModules();
  const session = await installMocks({ stack, config: stackFileConfig(stack, overrides) });
  const program = (await import(/* @vite-ignore */ programEntry())) as Record<string, unknown>;
  await settle();
  return Object.assign(session, { exports: await recordExports(program) });
}

/** The shipped stacks' load (test/setup/loadStacks.ts, started on the first ask), once finished. */
export async function shippedLoad(): Promise<EntryLoad> {
  const dir = inject("shippedStacks");
  fs.writeFileSync(path.join(dir, LOAD_FILES.wanted), "");
  const outcome = path.join(dir, LOAD_FILES.outcome);
  const deadline = Date.now() + SPAWN_TIMEOUT_MS;
  while (!fs.existsSync(outcome)) {
    if (Date.now() > deadline)
      throw new Error(`the shipped stacks' load did not finish (${outcome})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(fs.readFileSync(outcome, "utf8")) as EntryLoad;
}

/**
 * A shipped stack as it registers with its own stack file (on `cloud` when given), read from
 * the recording test/setup/loadStacks.ts makes once per run: for tests that only read it.
 * Each call parses anew, so a test may change what it gets without touching another's.
 */
export async function recordedStack(
  stack: "dev" | "staging" | "prod",
  cloud?: "gcp" | "aws",
): Promise<StackRun> {
  const load = await shippedLoad();
  if (load.status !== 0)
    throw new Error(`the shipped stacks did not load (test/setup/loadStacks.ts):\n${load.stderr}`);
  recordings ??= fs.readFileSync(path.join(inject("shippedStacks"), LOAD_FILES.recordings), "utf8");
  const key = cloud === "aws" ? `${stack}:aws` : stack;
  const rec = (
    JSON.parse(recordings) as Record<
      string,
      { resources: RecordedResource[]; invokes: string[]; exports: Record<string, RecordedExport> }
    >
  )[key];
  if (!rec)
    throw new Error(
      `no recording of ${key}: test/setup/loadStacks.ts loads ${SHIPPED_STACKS.join(", ")}`,
    );
  // The stack files choose gcp; a recording on another cloud is not what a gcp caller asked for.
  if (cloud === "gcp" && !rec.resources.some((r) => r.type.startsWith("gcp:")))
    throw new Error(`the recording of ${stack} is not on gcp: its stack file picks another cloud`);
  return Object.assign(sessionOver(rec.resources, new Set(rec.invokes)), { exports: rec.exports });
}
let recordings: string | undefined;
