/**
 * Every pinned chart version exists in its repository: a Helm install of a
 * version the repository never published fails only at `pulumi up`.
 * test/fixtures/published-charts.json records, per chart, the versions found in
 * the repository's own index (or release tag), where, and on which date.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHARTS } from "../../components/lib/charts";

interface Published {
  checked: string;
  charts: Record<string, { repo: string; published: Record<string, string>; source: string }>;
}
const FILE = path.resolve(__dirname, "..", "fixtures", "published-charts.json");
const list = JSON.parse(fs.readFileSync(FILE, "utf8")) as Published;

describe("pinned chart versions are published", () => {
  it("the list says when it was checked", () => {
    expect(list.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(Object.entries(CHARTS))(
    "%s: its exact version is in the list, from its repository",
    (_, ref) => {
      const entry = list.charts[ref.chart];
      expect(entry, `add ${ref.chart} to ${FILE}`).toBeDefined();
      expect(entry.repo).toBe(ref.repo);
      expect(
        Object.keys(entry.published),
        `${ref.chart} ${ref.version} is not in the list of published versions: look it up in ${entry.source} and add it with its date, or pin a listed version`,
      ).toContain(ref.version);
      expect(entry.published[ref.version]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    },
  );
});
