/**
 * Labels every object carries. Selectors use only `app.kubernetes.io/name` and `part-of`:
 * never `app.kubernetes.io/instance`, which Argo CD's label tracking may rewrite, and never a
 * construct-path hash, so renaming a construct cannot change an applied (immutable) selector.
 */
export const PART_OF = 'monitoring-stack';

export function selectorLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': PART_OF };
}

export function componentLabels(component: string, version: string): Record<string, string> {
  return {
    ...selectorLabels(component),
    'app.kubernetes.io/version': version.replace(/^v/, ''),
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}
