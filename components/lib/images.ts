/** Container image helpers shared by config validation and components. Pure. */

/**
 * True when an image reference can't move under you: it ends in a version tag
 * (one with a number, never `latest`), or carries a `@sha256:` digest.
 */
export function isPinnedImage(image: string): boolean {
  // A version tag carries a number: `alpine`, `stable` or `edge` move like latest does
  // (kubescape C-0075's floating tags).
  return /:(?=[\w.-]*\d)[\w][\w.-]*$|@sha256:/.test(image) && !/:latest$/.test(image);
}
