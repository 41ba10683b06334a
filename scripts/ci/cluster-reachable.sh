#!/usr/bin/env bash
# Fails when this runner cannot reach the stack's Kubernetes API.
#
# pulumi-kubernetes only warns on an unreachable cluster during preview and
# refresh (pulumi-kubernetes #946, #1485), so without this gate a pull request's
# preview looks green while the deploy fails, and nightly drift reports changes
# that are not there. Run it after the cloud login and before `pulumi preview`.
#
# Usage: scripts/ci/cluster-reachable.sh <stack>
# Needs: pulumi (logged in), node, kubectl, and for GKE gke-gcloud-auth-plugin.
set -euo pipefail

stack="${1:?usage: scripts/ci/cluster-reachable.sh <stack>}"
timeout="${CLUSTER_REACHABLE_TIMEOUT:-20s}"

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
umask 077

# The kubeconfig is a secret output: it goes to a private file, never to the log.
pulumi stack output --stack "$stack" --json --show-secrets >"$dir/outputs.json"
if ! node -e '
  const fs = require("node:fs");
  const [outputs, target] = process.argv.slice(1);
  const kubeconfig = JSON.parse(fs.readFileSync(outputs, "utf8")).kubeconfig;
  if (typeof kubeconfig !== "string" || kubeconfig === "") process.exit(3);
  fs.writeFileSync(target, kubeconfig, { mode: 0o600 });
' "$dir/outputs.json" "$dir/kubeconfig"; then
  echo "Stack ${stack} has no kubeconfig output yet (no cluster deployed): nothing to check."
  exit 0
fi

if kubectl --kubeconfig "$dir/kubeconfig" --request-timeout="$timeout" get --raw=/readyz \
  >/dev/null 2>"$dir/error"; then
  echo "Stack ${stack}: the Kubernetes API answers from this runner."
  exit 0
fi

reason="$(grep -v '^\s*$' "$dir/error" | tail -n 1)"
echo "::error title=Kubernetes API unreachable::Stack ${stack}: this runner cannot reach the cluster's API (${reason}). Pulumi would only warn and preview every Kubernetes resource as unknown. Fix: add this runner's egress CIDR to mlops-platform:cluster.authorizedNetworks, or run the job inside the VPC: on AWS set mlops-platform:cluster.ciRunner and map the stack in the repository variable PULUMI_CODEBUILD_RUNNERS, or name a self-hosted runner in PULUMI_RUNNER."
exit 1
