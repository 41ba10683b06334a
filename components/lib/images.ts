/** Container image helpers shared by config validation and components. Pure. */

/**
 * True when an image reference can't move under you: it ends in a version tag
 * other than `latest`, or carries a `@sha256:` digest.
 */
export function isPinnedImage(image: string): boolean {
  return /:[\w][\w.-]*$|@sha256:/.test(image) && !/:latest$/.test(image);
}
