/**
 * How resources whose cloud identity is fixed by their inputs are replaced.
 *
 * Pulumi replaces create-first by default. When the identity is a name we choose (a cluster, a
 * service account, a KMS alias, the EKS log group) or the pair a binding links (an IAM member,
 * an EKS access entry or add-on), the new object is the old one: the create fails with "already
 * exists", or succeeds as a no-op that the old object's delete then undoes (pulumi-gcp #2463:
 * a replaced IAMMember silently disappears). The providers infer delete-first only for
 * autonamed fields set by hand (pulumi-terraform-bridge nameRequiresDeleteBeforeReplace) and,
 * since pulumi-gcp #2650, for some IAM types; we say it ourselves for every such resource.
 */
export const FIXED_IDENTITY = { deleteBeforeReplace: true } as const;
