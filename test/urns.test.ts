/**
 * Resource identity guard. Pulumi keys every resource by its URN (type token +
 * parent chain + name); a refactor that changes one makes a real `pulumi up`
 * delete and recreate that resource (a cluster, a database). This test records
 * the URN list of every env x cloud stack under mocks and compares it with the
 * committed snapshot in test/snapshots/urns.json.
 *
 * A change that adds or removes resources on purpose updates the snapshot:
 *   UPDATE_URNS=1 npx vitest run test/urns.test.ts
 * and says so in the commit message. A change that only moves code must not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack } from "./helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS } from "./helpers/timeouts";
import { AT_REST_BEGIN, AT_REST_END, atRestRow, atRestTable } from "../scripts/lib/atRest";

const SNAPSHOT = path.join(__dirname, "snapshots", "urns.json");
const CLOUDS = ["gcp", "aws"] as const;
const ENVS = ["dev", "staging", "prod"] as const;

const current: Record<string, string[]> = {};
const atRest: Record<string, ReturnType<typeof atRestRow>> = {};
const README = path.join(__dirname, "..", "README.md");

beforeAll(async () => {
  for (const cloud of CLOUDS)
    for (const env of ENVS) {
      const run = await recordedStack(env, cloud);
      current[`${cloud}/${env}`] = run.resources.map((r) => r.urn).sort();
      atRest[`${cloud}/${env}`] = atRestRow(run.resources);
    }
  if (process.env.UPDATE_URNS === "1")
    fs.writeFileSync(SNAPSHOT, JSON.stringify(current, null, 2) + "\n");
  if (process.env.UPDATE_DOCS === "1") {
    const text = fs.readFileSync(README, "utf8");
    const start = text.indexOf(AT_REST_BEGIN);
    const end = text.indexOf(AT_REST_END) + AT_REST_END.length;
    fs.writeFileSync(README, text.slice(0, start) + atRestTable(atRest) + text.slice(end));
  }
}, SPAWN_TEST_TIMEOUT_MS);

describe("resource identity (URNs) is stable across refactors", () => {
  const committed = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string[]>;

  it("the snapshot covers every env x cloud stack", () => {
    expect(Object.keys(committed).sort()).toEqual(
      [...CLOUDS].flatMap((c) => ENVS.map((e) => `${c}/${e}`)).sort(),
    );
  });

  for (const cloud of CLOUDS)
    for (const env of ENVS) {
      const key = `${cloud}/${env}`;
      it(`${key}: no URN appears or disappears (a changed URN is a replaced resource)`, () => {
        const now = new Set(current[key]);
        const before = new Set(committed[key]);
        const added = current[key].filter((u) => !before.has(u));
        const removed = committed[key].filter((u) => !now.has(u));
        expect({ added, removed }).toEqual({ added: [], removed: [] });
        expect(current[key].length).toBeGreaterThan(40);
      });
    }
});

describe("README: what each stack runs at rest", () => {
  it("the table is what the program creates (UPDATE_DOCS=1 npx vitest run test/urns.test.ts rewrites it)", () => {
    const text = fs.readFileSync(README, "utf8");
    const start = text.indexOf(AT_REST_BEGIN);
    expect(start, "README has no at-rest table markers").toBeGreaterThanOrEqual(0);
    expect(text.slice(start, text.indexOf(AT_REST_END) + AT_REST_END.length)).toBe(
      atRestTable(atRest),
    );
  });
});
