import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BaseSequencer } from "vitest/node";
import suite from "../vitest.config.mjs";
import shuffled from "../vitest.shuffle.config.mjs";
import { installMocks, settle } from "../scripts/lib/mocks";
import { freshPulumiRuntime, leftBehind, processState } from "./setup/isolation";

class Thing extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Thing", name, {});
  }
}

describe("files sharing a worker (test/setup/isolation.ts)", () => {
  it("names what a file left changed: env set, changed or deleted, cwd, a listener added again", () => {
    // The same listener source registered by the previous file, and by this one again.
    const register = () => () => undefined;
    const state = processState();
    const before = { ...state, listeners: { ...state.listeners, exit: [register()] } };
    const after = {
      env: { ...before.env, MLOPS_PLANTED: "1", PATH: "/nowhere" } as Record<string, string>,
      cwd: "/tmp",
      listeners: { ...before.listeners, exit: [...before.listeners.exit, register()] },
    };
    delete after.env.HOME;
    const lines = leftBehind(before, after);
    expect(lines.sort()).toEqual(
      [
        "process.env.MLOPS_PLANTED was set",
        "process.env.PATH was changed",
        "process.env.HOME was deleted",
        "the working directory moved to /tmp",
        '1 process "exit" listener(s) were added again',
      ].sort(),
    );
  });

  it("lets a library add its own listener once, and reports nothing for an unchanged process", () => {
    const before = processState();
    expect(leftBehind(before, processState())).toEqual([]);
    const once = () => "a library's own";
    const after = { ...before, listeners: { ...before.listeners, beforeExit: [once] } };
    expect(leftBehind(before, after)).toEqual([]);
  });

  it("gives the next file the runtime of a fresh process: no mocks, no config, no stack", async () => {
    const session = await installMocks({ stack: "earlier", config: { "project:key": "v" } });
    new Thing("recorded");
    await settle();
    expect(session.resources.map((r) => r.name)).toContain("recorded");
    expect(new pulumi.Config("project").get("key")).toBe("v");

    freshPulumiRuntime();
    expect(new pulumi.Config("project").get("key")).toBeUndefined();
    expect(pulumi.getStack()).toBe("stack");
    expect(pulumi.runtime.getMonitor()).toBeUndefined();
    const count = session.resources.length;
    new Thing("after-reset");
    await settle();
    expect(session.resources).toHaveLength(count);
  });

  it("npm run test:shuffled is the suite's own config in an order vitest shuffles", () => {
    const { sequence, ...rest } = shuffled.test!;
    expect(sequence).toMatchObject({ sequencer: BaseSequencer, shuffle: { files: true } });
    expect(typeof sequence!.seed).toBe("number");
    const { sequence: _suiteOrder, ...suiteRest } = suite.test!;
    expect(rest).toEqual(suiteRest);
    expect(rest.isolate).toBe(false);
  });
});
