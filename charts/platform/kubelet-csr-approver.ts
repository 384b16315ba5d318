/**
 * postfinance/kubelet-csr-approver, synthesized (not its Helm chart): the Talos nodes request
 * kubelet serving certificates from the cluster CA (talos/node-configs.ts), and Kubernetes never
 * approves those CSRs by itself. Unlike approvers that only check the CSR's shape, this one
 * checks its names and addresses: every DNS name must start with the node's name and match
 * PROVIDER_REGEX (exactly the site's node hostnames here) and every IP address must lie in
 * PROVIDER_IP_PREFIXES (exactly the node addresses). A pod that stole a node's bootstrap identity
 * could therefore not obtain a certificate for another name or address.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Site } from '../../site';
import { componentLabels, selectorLabels } from '../common/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { KUBELET_CSR_APPROVER_NAMESPACE } from './constants';
import { PLATFORM_VERSIONS, kubeletCsrApproverImage } from './versions';

const COMPONENT = 'kubelet-csr-approver';
/** The distroless nonroot user the image is built for (its chart runs it as 65532). */
const APPROVER_UID = 65532;
const HEALTH_PORT = 8081;
const METRICS_PORT = 8080;

/** `^(talos-1|talos-2|talos-3)$`: the provider regex is unanchored upstream, so anchor it. */
export function nodeNameRegex(site: Site): string {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^(${site.talos.nodes.map((n) => escape(n.hostname)).join('|')})$`;
}

export interface KubeletCsrApproverProps {
  readonly site: Site;
}

export class KubeletCsrApprover extends Chart {
  constructor(scope: Construct, id: string, props: KubeletCsrApproverProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { site } = props;
    const labels = componentLabels(COMPONENT, PLATFORM_VERSIONS.kubeletCsrApprover.tag);
    const metadata = { name: COMPONENT, namespace: KUBELET_CSR_APPROVER_NAMESPACE, labels };

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: true });
    // The chart's rules without leader election (one replica: no leases); events explain denials.
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: COMPONENT, labels },
      rules: [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/kubelet-serving'], verbs: ['approve'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: COMPONENT, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: KUBELET_CSR_APPROVER_NAMESPACE }],
    });

    const health = (path: string): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(HEALTH_PORT) }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3,
    });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata,
      spec: {
        replicas: 1,
        // One approver at a time: without leader election two would race on the same CSR.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            securityContext: restrictedPodSecurity(APPROVER_UID),
            containers: [{
              name: COMPONENT,
              image: kubeletCsrApproverImage(),
              imagePullPolicy: 'IfNotPresent',
              args: [`-metrics-bind-address=:${METRICS_PORT}`, `-health-probe-bind-address=:${HEALTH_PORT}`],
              env: [
                { name: 'PROVIDER_REGEX', value: nodeNameRegex(site) },
                { name: 'PROVIDER_IP_PREFIXES', value: site.talos.nodes.map((n) => `${n.address}/32`).join(',') },
                // Node names are not in the cluster's DNS; the regex and the prefixes above pin
                // names and addresses instead of a lookup.
                { name: 'BYPASS_DNS_RESOLUTION', value: 'true' },
              ],
              ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
              securityContext: restrictedContainerSecurity(),
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('128Mi') },
              },
              readinessProbe: health('/healthz'),
              livenessProbe: health('/healthz'),
            }],
          },
        },
      },
    });

    // It only calls the API server: nothing may connect to it (kubelet probes are always allowed).
    // No `ingress` key at all: the API server drops an empty list, so `ingress: []` would differ
    // from the stored object on every apply (a new generation each time, endless GitOps drift).
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: { podSelector: { matchLabels: selectorLabels(COMPONENT) }, policyTypes: ['Ingress'] },
    });
  }
}
