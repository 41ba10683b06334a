/**
 * vitest setupFile: what lets test files share a worker process (`isolate: false` in
 * vitest.config.mts). A worker then loads node_modules once instead of once per file, which
 * halves the suite's CPU (@pulumi/pulumi alone is about 0.8 s per load).
 *
 * Modules stay evaluated across the files of a worker, ours too until a test resets them
 * (`vi.resetModules`, which test/helpers/stack.ts `runStack` calls; a module imported by three
 * files logged one evaluation), and node_modules stay loaded with the process-global state a
 * file may change:
 * - Pulumi's runtime store (`global.globalStore`: the monitor `setMocks` installed, config,
 *   the stack resource). Each file starts with the runtime as a fresh process has it: no
 *   monitor (a file that registers resources without installing mocks reaches no monitor, as
 *   it would alone, instead of recording into the previous file's mocks) and no config. The
 *   resource packages the providers registered when they loaded stay, as in one process.
 * - process.env and the working directory: a file that changes one and does not put it back
 *   fails here, naming what it changed, instead of changing the next file.
 * - process listeners: a library adds its own once when it loads (the Pulumi runtime's leak
 *   report on `exit`, @pulumi/aws's bucket subscriptions on `beforeExit`); a listener added again,
 *   one that is already there by its source, is one more per file, and fails here.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll } from "vitest";

/** The process-global state a test file must leave as it found it. */
export interface ProcessState {
  env: Record<string, string | undefined>;
  cwd: string;
  listeners: Record<string, ((...args: unknown[]) => void)[]>;
}

const EVENTS = ["exit", "beforeExit", "uncaughtException", "unhandledRejection", "warning"];

export function processState(): ProcessState {
  return {
    env: { ...process.env },
    cwd: process.cwd(),
    listeners: Object.fromEntries(
      EVENTS.map((e) => [e, process.listeners(e as "exit") as ((...args: unknown[]) => void)[]]),
    ),
  };
}

/** What changed between two states, one line each; empty when nothing did. */
export function leftBehind(before: ProcessState, after: ProcessState): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(before.env), ...Object.keys(after.env)]);
  for (const k of [...keys].sort()) {
    if (before.env[k] === after.env[k]) continue;
    out.push(
      after.env[k] === undefined
        ? `process.env.${k} was deleted`
        : before.env[k] === undefined
          ? `process.env.${k} was set`
          : `process.env.${k} was changed`,
    );
  }
  if (before.cwd !== after.cwd) out.push(`the working directory moved to ${after.cwd}`);
  for (const e of EVENTS) {
    const added = after.listeners[e].filter((f) => !before.listeners[e].includes(f));
    const again = added.filter((f) =>
      after.listeners[e].some((g) => g !== f && String(g) === String(f)),
    );
    if (again.length) out.push(`${again.length} process "${e}" listener(s) were added again`);
  }
  return out;
}

/** The Pulumi runtime as a fresh process has it: no monitor, no config, no stack resource. */
export function freshPulumiRuntime(): void {
  pulumi.runtime.resetOptions("project", "stack", -1, "", "", false, "");
  pulumi.runtime.setAllConfig({}, []);
}

let before: ProcessState;

beforeAll(() => {
  freshPulumiRuntime();
  before = processState();
});

afterAll(() => {
  const changes = leftBehind(before, processState());
  if (changes.length)
    throw new Error(
      `this file left process-global state changed, which the next file in its worker would ` +
        `inherit (vitest.config.mts isolate: false): ${changes.join("; ")}. ` +
        `Restore it in the test (try/finally or afterAll).`,
    );
});
