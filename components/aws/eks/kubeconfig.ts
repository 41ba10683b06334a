/** Kubeconfig for an EKS cluster. Pure. */

/** Kubeconfig that authenticates with `aws eks get-token` (AWS CLI v2). */
export function eksKubeconfig(
  clusterName: string,
  endpoint: string,
  caData: string,
  region: string,
): string {
  const context = `eks_${clusterName}`;
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: context, cluster: { server: endpoint, "certificate-authority-data": caData } },
      ],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      "current-context": context,
      users: [
        {
          name: context,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: [
                "eks",
                "get-token",
                "--cluster-name",
                clusterName,
                "--region",
                region,
                "--output",
                "json",
              ],
              installHint: "Install AWS CLI v2: https://docs.aws.amazon.com/cli/",
            },
          },
        },
      ],
    },
    null,
    2,
  );
}
