/**
 * Runs the real stack program (the module Pulumi.yaml `main` names) under mocks
 * with the config of `Pulumi.<stack>.yaml`, optionally overridden, and returns
 * the recording and the program's exports.
 */
import { vi } from "vitest";
import {
  installMocks,
  programEntry,
  settle,
  stackFileConfig,
  type MockSession,
} from "../../scripts/lib/mocks";

export interface StackRun extends MockSession {
  exports: Record<string, unknown>;
}

export async function runStack(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<StackRun> {
  vi.resetModules();
  const session = await installMocks({ stack, config: stackFileConfig(stack, overrides) });
  const exports = (await import(/* @vite-ignore */ programEntry())) as Record<string, unknown>;
  await settle();
  return Object.assign(session, { exports });
}
