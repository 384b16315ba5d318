/**
 * Optional dist/gitops/argocd/health-check: the `argoproj.io/Application` health check that
 * Argo CD removed from its defaults in 1.8. Without it a parent sees a child Application healthy
 * as soon as it exists, so sync waves do not wait for a layer to be ready (docs/gitops.md).
 *
 * It is one key of argocd-cm, which the Argo CD installation owns: apply it with server-side
 * apply (`kubectl apply --server-side --field-manager=monitoring-stack -k …`), which adds this key
 * and leaves every other key and label of the ConfigMap alone, or copy it into the kustomization
 * or Helm values that install Argo CD. It is in no layer: the stack must not own argocd-cm.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ARGOCD_NAMESPACE } from '../../charts/platform';

export const ARGOCD_CM = 'argocd-cm';
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The Lua check from Argo CD's health documentation ("Argocd App"): a child's own health status. */
export const APPLICATION_HEALTH_LUA = [
  'hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil then',
  '  if obj.status.health ~= nil then',
  '    hs.status = obj.status.health.status',
  '    if obj.status.health.message ~= nil then',
  '      hs.message = obj.status.health.message',
  '    end',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

export class ArgoCdApplicationHealth extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: ARGOCD_NAMESPACE, disableResourceNameHashes: true });
    // Argo CD's own labels: it reads only ConfigMaps labelled part-of=argocd, and a client-side
    // apply (or a fresh create) of a copy without them would leave argocd-cm unread.
    new k8s.KubeConfigMap(this, 'ArgoCdConfig', {
      metadata: { name: ARGOCD_CM, labels: { 'app.kubernetes.io/name': ARGOCD_CM, 'app.kubernetes.io/part-of': 'argocd' } },
      data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
    });
  }
}
