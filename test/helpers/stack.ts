/**
 * Runs the real stack program (the module Pulumi.yaml `main` names) under mocks
 * with the config of `Pulumi.<stack>.yaml`, optionally overridden, and returns
 * the recording and the program's exports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { installMocks, settle, stackFileConfig, type MockSession } from "./mocks";

const ROOT = path.resolve(__dirname, "..", "..");
const MAIN = (
  parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { main: string }
).main;

export interface StackRun extends MockSession {
  exports: Record<string, unknown>;
}

export async function runStack(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  vi.resetModules();
  const session = await installMocks({ stack, config: stackFileConfig(stack, overrides) });
  const exports = (await import(/* @vite-ignore */ path.join(ROOT, MAIN))) as Record<
    string,
    unknown
  >;
  await settle();
  return Object.assign(session, { exports });
}
