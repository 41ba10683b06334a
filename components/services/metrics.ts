/**
 * The metric contract a model server must honour, in one place: the alerts,
 * the canary analysis templates and the tests build their queries from these
 * names. The HTTP metrics are the ones prometheus-fastapi-instrumentator
 * exports by default (`http_requests_total{handler,method,status}` with status
 * as `2xx`/`5xx` or the code, `http_request_duration_seconds` histogram); the
 * model metrics are optional and switch on the alerts that need them.
 */

/** Namespace of the platform's Prometheus, which scrapes the model servers. */
export const MONITORING_NAMESPACE = "monitoring";

/** Namespace model servers run in (Argo CD's ml-models project deploys there). */
export const MODELS_NAMESPACE = "models";

export const MODEL_METRICS = {
  /** Counter of HTTP requests; labels `handler`, `method`, `status`. Required. */
  requests: "http_requests_total",
  /** Histogram of request latency in seconds (`_bucket`, `_sum`, `_count`). Required. */
  latency: "http_request_duration_seconds",
  /** Counter of predictions by `outcome` (e.g. `positive` / `negative`). Optional: enables drift alerts. */
  predictions: "model_predictions_total",
  /** Gauge `1` with labels `model_name`, `model_version`. Optional: shows what is serving. */
  info: "model_info",
  /** Gauge of online precision, for models that compute it from delayed labels. Optional. */
  precision: "model_precision",
} as const;

/** Matches server errors whether `status` holds the code (`503`) or its class (`5xx`). */
export const SERVER_ERROR_STATUS = 'status=~"5.."';

/**
 * Prometheus label carrying the pod's `rollouts-pod-template-hash` (the ServiceMonitor's
 * `podTargetLabels` copies it; the operator turns `-` into `_`): which ReplicaSet, canary or
 * stable, a series comes from.
 */
export const POD_HASH_LABEL = "rollouts_pod_template_hash";

/** The `outcome` label value counted as the positive class in drift alerts. */
export const POSITIVE_OUTCOME = "positive";
