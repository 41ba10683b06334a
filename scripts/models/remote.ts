/** The two services the models CLI asks: the MLflow registry and GitHub commit statuses. */

/** Status of a registered model version (MLflow REST: GET /api/2.0/mlflow/model-versions/get). */
export async function mlflowVersionStatus(
  baseUrl: string,
  model: string,
  version: number,
  auth?: { username: string; password: string },
): Promise<{ status: string } | { missing: string }> {
  const q = new URLSearchParams({ name: model, version: String(version) });
  const headers: Record<string, string> = {};
  if (auth)
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const res = await fetch(`${baseUrl.replace(/\/$/, "")}/api/2.0/mlflow/model-versions/get?${q}`, {
    headers,
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json().catch(() => ({}))) as {
    model_version?: { status?: string };
    error_code?: string;
    message?: string;
  };
  if (!res.ok || !body.model_version)
    return { missing: body.message ?? body.error_code ?? `HTTP ${res.status}` };
  return { status: body.model_version.status ?? "UNKNOWN" };
}

export interface CommitStatus {
  state: "success" | "failure" | "error" | "pending";
  context: string;
  created_at: string;
}

/** Commit statuses of a commit, newest first (GET /repos/{owner}/{repo}/commits/{ref}/statuses). */
export async function commitStatuses(
  api: string,
  repo: string,
  sha: string,
  token: string | undefined,
): Promise<CommitStatus[]> {
  const res = await fetch(
    `${api.replace(/\/$/, "")}/repos/${repo}/commits/${sha}/statuses?per_page=100`,
    {
      headers: {
        Accept: "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      signal: AbortSignal.timeout(20_000),
    },
  );
  if (!res.ok) throw new Error(`GitHub statuses of ${sha}: HTTP ${res.status}`);
  return (await res.json()) as CommitStatus[];
}

/** The commit-status context Argo CD notifications set for a model in an environment. */
export { commitStatusContext as statusContext } from "../../components/lib/gitopsLayout";

/** Milliseconds of a model.yaml duration (30m, 2h, 1d). */
export function durationMs(d: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
}
