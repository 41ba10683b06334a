import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { END, README, START, policyTable, updateReadme, withTable } from "../scripts/policy-table";
import { allRules } from "../policies/rules";
import { HelpRequested, parseArgs } from "../scripts/check";
import { parseCommandLine } from "../scripts/models/cli";

describe("policy reference table", () => {
  it("policies/README.md holds the table generated from the pack's metadata (run `npm run docs:policies` when this fails)", () => {
    const readme = fs.readFileSync(README, "utf8");
    expect(readme).toContain(START);
    expect(withTable(readme)).toBe(readme);
  });

  it("lists every rule once, with its prod enforcement", () => {
    const table = policyTable();
    for (const r of allRules) expect(table.split(`| \`${r.name}\` |`).length - 1, r.name).toBe(1);
    expect(table).toMatch(
      /\| `gcp-cloudsql-private-ip-only` \| critical \|.*\| mandatory \/ mandatory \/ mandatory \|/,
    );
    expect(table.endsWith(END)).toBe(true);
  });

  it("goes stale when a rule changes, so the first test can fail", () => {
    const readme = fs.readFileSync(README, "utf8");
    const edited = readme.replace(
      "| `gcp-gke-private-nodes` | high |",
      "| `gcp-gke-private-nodes` | low |",
    );
    expect(edited).not.toBe(readme);
    expect(withTable(edited)).not.toBe(edited);
  });
});

describe("npm run docs:policies", () => {
  it("rewrites a stale table and says so; leaves a current one untouched and says that", async () => {
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-docs-"));
    try {
      const file = path.join(dir, "README.md");
      const current = fs.readFileSync(README, "utf8");
      fs.writeFileSync(file, current);
      const mtime = fs.statSync(file).mtimeMs;
      expect(updateReadme(file)).toBe(false);
      expect(fs.statSync(file).mtimeMs).toBe(mtime);
      fs.writeFileSync(
        file,
        current.replace("| `gcp-gke-private-nodes` | high |", "| `gcp-gke-private-nodes` | low |"),
      );
      expect(updateReadme(file)).toBe(true);
      expect(fs.readFileSync(file, "utf8")).toBe(current);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's commands run the code they name", () => {
  const text = fs.readFileSync(README, "utf8");
  const pkg = JSON.parse(
    fs.readFileSync(README.replace(/README\.md$/, "package.json"), "utf8"),
  ) as {
    scripts: Record<string, string>;
  };

  it("every `npm run` names a script of package.json", () => {
    const used = [...text.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((s) => !pkg.scripts[s])).toEqual([]);
  });

  it("every `npm run models` shown parses with the CLI's own parser and names a command", async () => {
    const shown = [...text.matchAll(/npm run (?:-s )?models -- ([^`\n#]+)/g)].map((m) =>
      m[1].trim().split(/\s+/).filter(Boolean),
    );
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const args of shown) expect(() => parseCommandLine(args), args.join(" ")).not.toThrow();
  });
  it("every `npm run check` shown parses with the checker's own argument parser", async () => {
    const shown = [...text.matchAll(/npm run (?:-s )?check -- ([^`\n#]+)/g)].map((m) =>
      m[1]
        .trim()
        // Placeholders in the README's syntax lines: <stack>, <dev|staging|prod>, [optional parts], X.
        .replace(/\[[^\]]*\]/g, "")
        .replace(/<[^>]+>/g, "dev")
        .replace(/\bX\b/g, "dev")
        .split(/\s+/)
        .filter(Boolean),
    );
    expect(shown.length).toBeGreaterThan(2);
    for (const args of shown) {
      try {
        expect(parseArgs(args).stack, args.join(" ")).toBeTruthy();
      } catch (e) {
        if (!(e instanceof HelpRequested))
          throw new Error(`README: npm run check -- ${args.join(" ")}: ${(e as Error).message}`);
      }
    }
  });

  it("every script, test file and policy config the README points at exists", () => {
    const root = README.replace(/README\.md$/, "");
    const paths = [
      ...[...text.matchAll(/node (scripts\/[\w./-]+)/g)].map((m) => m[1]),
      ...[...text.matchAll(/npx vitest run (test\/[\w./-]+)/g)].map((m) => m[1]),
      ...[...text.matchAll(/--policy-pack-config (policies\/config\/[\w-]+\.json)/g)].map(
        (m) => m[1],
      ),
    ];
    expect(paths.length).toBeGreaterThan(3);
    expect(paths.filter((p) => !fs.existsSync(root + p))).toEqual([]);
  });
});
