import * as path from 'node:path';

/** True when `inner` is `outer` itself or a path below it (both absolute). */
export function isPathInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
