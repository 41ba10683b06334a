/**
 * The golden-set comparison script, run by the real python3 against two model servers on
 * 127.0.0.1 (canary and stable), with the exit codes Argo Rollouts' Job provider reads.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_COMPARE_SCRIPT } from "../../components/services/goldenCompare";
import { haveTool } from "../helpers/tools";

const ready = haveTool("python3", "python3");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golden-"));
const GOLDEN = path.join(dir, "golden.jsonl");
// 10 examples, 5 positive.
const examples = Array.from({ length: 10 }, (_, i) => ({ input: { x: i }, label: i < 5 ? 1 : 0 }));
fs.writeFileSync(GOLDEN, examples.map((e) => JSON.stringify(e)).join("\n") + "\n");

/** A model server whose answer for input x is `model(x)`; some answer {"prediction": ...}. */
const models: Record<string, (x: number) => number> = {
  perfect: (x) => (x < 5 ? 1 : 0),
  // Calls 3 negatives positive: precision 5/8.
  sloppy: (x) => (x < 8 ? 1 : 0),
  // Same precision as perfect on positives but misses two of them: disagrees on 2 of 10.
  shy: (x) => (x < 3 ? 1 : 0),
};
let server: http.Server;
let base = "";
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const model = models[req.url!.split("/")[1]];
      if (!model) {
        res.writeHead(503).end();
        return;
      }
      const y = model(JSON.parse(body).x);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(req.url!.endsWith("/wrapped") ? { prediction: y } : y));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function compare(canary: string, stable: string, drop = "0.02", disagree = "0.05") {
  return new Promise<{ code: number | null; out: Record<string, unknown> }>((resolve) => {
    const p = spawn(
      "python3",
      [
        "-c",
        GOLDEN_COMPARE_SCRIPT,
        GOLDEN,
        `${base}/${canary}`,
        `${base}/${stable}`,
        "1",
        drop,
        disagree,
      ],
      { timeout: 30_000 },
    );
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out: out.trim() ? JSON.parse(out) : {} }));
  });
}

describe.skipIf(!ready)("golden-set comparison (python3, two servers on 127.0.0.1)", () => {
  it("a canary as good as stable passes (bare and {prediction} bodies)", async () => {
    const r = await compare("perfect/predict", "perfect/wrapped");
    expect(r.code).toBe(0);
    expect(r.out).toMatchObject({ examples: 10, precision_drop: 0, disagreement: 0, pass: true });
  });
  it("a precision drop past the limit fails", async () => {
    const r = await compare("sloppy/predict", "perfect/predict", "0.02", "1");
    expect(r.code).toBe(1);
    expect(r.out.precision_canary).toBeCloseTo(5 / 8);
  });
  it("disagreement past the limit fails even when precision holds", async () => {
    const r = await compare("shy/predict", "perfect/predict");
    expect(r.code).toBe(1);
    expect(r.out).toMatchObject({ precision_drop: 0, disagreement: 0.2, pass: false });
  });
  it("a canary that does not answer cannot pass", async () => {
    const r = await compare("down/predict", "perfect/predict");
    expect(r.code).toBe(2);
    expect(r.out.error).toMatch(/503/);
  });
});
