/**
 * PostgreSQL's audit logging, judged the same way on Cloud SQL (database flags) and RDS
 * (parameter groups): what CIS GCP 6.2.x and CIS PostgreSQL 3.1.x ask, in PostgreSQL's terms.
 */

/** PostgreSQL's spellings of a true boolean (postgresql.org/docs/current/config-setting.html). */
const TRUE_VALUES = ["on", "true", "yes", "1"];
const isOn = (v: string | undefined) => v !== undefined && TRUE_VALUES.includes(v.toLowerCase());

/** PostgreSQL severities, least to most severe (log_min_messages, log_min_error_statement). */
const LEVELS = [
  "debug5",
  "debug4",
  "debug3",
  "debug2",
  "debug1",
  "info",
  "notice",
  "warning",
  "error",
  "log",
  "fatal",
  "panic",
];

/** Per-module performance statistics: debugging output, off by default (checkov CKV2_GCP_14..17). */
const STATS = [
  "log_executor_stats",
  "log_parser_stats",
  "log_planner_stats",
  "log_statement_stats",
];

/**
 * What is wrong with a PostgreSQL server's logging settings (name -> value as given), `requiredOn`
 * naming the booleans that must be on. Absent settings take PostgreSQL's defaults.
 */
export function postgresLoggingProblems(
  settings: Map<string, string>,
  requiredOn: readonly string[],
): string[] {
  const out: string[] = [];
  const missing = requiredOn.filter((f) => !isOn(settings.get(f)));
  if (missing.length) out.push(`flags not on: ${missing.join(", ")}.`);
  // A threshold above `error` (log, fatal, panic) stops errors being logged; that is the
  // misconfiguration (CIS GCP 6.2.x; trivy AVD-GCP-0018, checkov CKV_GCP_55/109). More verbose
  // levels only log more.
  for (const flag of ["log_min_messages", "log_min_error_statement"]) {
    const v = (settings.get(flag) ?? "").toLowerCase();
    if (v === "") continue; // PostgreSQL's defaults, warning and error, log errors.
    if (!LEVELS.includes(v)) out.push(`${flag} is ${v}, not a PostgreSQL severity level.`);
    else if (LEVELS.indexOf(v) > LEVELS.indexOf("error"))
      out.push(`${flag} is ${v}, so errors are not logged: set it to error or warning.`);
  }
  // PostgreSQL's default -1 logs no temp files; 0 logs every one (CIS GCP 6.2.5).
  if (settings.get("log_temp_files") !== "0") out.push("log_temp_files is not 0.");
  // PostgreSQL's default `none` logs no statement; ddl records schema changes (CIS GCP 6.2.x;
  // checkov CKV_GCP_111 accepts ddl, mod and all).
  if (!["ddl", "mod", "all"].includes((settings.get("log_statement") ?? "").toLowerCase()))
    out.push("log_statement is not ddl, mod or all.");
  // Statement text with its parameters would reach the logs (CIS GCP 6.2.x; AVD-GCP-0021,
  // CKV_GCP_57). PostgreSQL's default is -1.
  const minDuration = settings.get("log_min_duration_statement");
  if (minDuration !== undefined && minDuration !== "-1")
    out.push(`log_min_duration_statement is ${minDuration}, not -1.`);
  const statsOn = STATS.filter((f) => isOn(settings.get(f)));
  if (statsOn.length) out.push(`flags on that must be off: ${statsOn.join(", ")}.`);
  return out;
}
