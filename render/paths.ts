import * as path from 'node:path';

/** True when `inner` is `outer` itself or a path below it (both absolute). */
export function isPathInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  // `..hidden` is a name below outer; only `..` itself or `../…` climbs out of it.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
