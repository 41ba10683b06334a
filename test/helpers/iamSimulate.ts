/**
 * One request through @cloud-copilot/iam-simulate: how AWS would decide `action` on
 * `resource` for a principal holding `identity`, with an optional resource policy.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

export const ACCOUNT = "123456789012";

export async function simulate(req: {
  principal: string;
  identity: { name: string; policy: object }[];
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  resourcePolicy?: object;
}): Promise<string> {
  const res = await runSimulation(
    {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: req.resource, accountId: ACCOUNT },
        contextVariables: { "aws:SecureTransport": "true", ...req.context },
      },
      identityPolicies: req.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(req.resourcePolicy ? { resourcePolicy: req.resourcePolicy } : {}),
    } as never,
    {},
  );
  if (res.resultType === "error") throw new Error(JSON.stringify(res.errors));
  return (res as { overallResult: string }).overallResult;
}
