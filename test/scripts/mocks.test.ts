/**
 * scripts/lib/mocks.ts skips source-map lookups for the stacks Pulumi captures on every
 * resource and promise (the mock monitor never reads them), and only for those.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { plainPulumiStackCaptures } from "../../scripts/lib/mocks";

// runtime/debuggable.js is internal to the SDK; debuggablePromise is what it calls per promise.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
};

const saved = Error.prepareStackTrace;
afterEach(() => {
  Error.prepareStackTrace = saved;
});

describe("Pulumi's stack captures under mocks", () => {
  it("resource and promise captures take V8's format; every other error keeps the installed one", () => {
    let mapped = 0;
    // Stands in for the source-map formatter ts-node or vitest installs.
    Error.prepareStackTrace = (error) => {
      mapped++;
      return `mapped ${String(error)}`;
    };
    plainPulumiStackCaptures();
    plainPulumiStackCaptures(); // idempotent: one wrapper

    expect(new Error("ours").stack).toBe("mapped Error: ours");
    expect(mapped).toBe(1);

    // What every resource's constructor calls (private in the typings).
    const frames = (
      pulumi.Resource as unknown as { callsites: () => { file?: string }[] }
    ).callsites();
    const promise = Promise.resolve(1) as Promise<number> & { _debugStackTrace?: string };
    void debuggablePromise(promise, "ctx");
    expect(mapped).toBe(1);
    // Still positions Pulumi can parse (Resource.framePositionRegExp), in the emitted code.
    expect(frames[0].file).toMatch(/@pulumi[\\/]pulumi[\\/]resource\.js$/);
    // Only the first frames: Resource.callsites lifts the depth limit, the whole stack is deeper.
    expect(frames.length).toBeLessThanOrEqual(8);
    expect(promise._debugStackTrace).toMatch(/^Error\n {4}at debuggablePromise \(/);
    expect(promise._debugStackTrace).toMatch(/mocks\.test\.ts:\d+:\d+/);
  });

  it("leaves V8's default alone when no formatter is installed", () => {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    plainPulumiStackCaptures();
    expect(Error.prepareStackTrace).toBeUndefined();
  });
});
