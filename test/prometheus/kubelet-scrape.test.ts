/**
 * Kubelet and cAdvisor metrics are scraped on each node directly over verified TLS with only
 * `nodes/metrics`, never through the API server proxy (`nodes/proxy` also reaches the kubelet's
 * exec and attach endpoints). The relabelling is run on a node target the way Prometheus' node
 * discovery presents it; the Talos nodes request CA-signed serving certificates, which the
 * platform's approver signs off.
 */
import { prometheusConfig } from '../../charts/prometheus/prometheus-config';
import type { RelabelConfig, ScrapeConfig } from '../../charts/prometheus/config-model';
import { stackTopology } from '../../charts/topology';
import { readObjects } from '../support/dist-tree';
import { siteFrom, writeDeliveryTree } from '../gitops/delivery-tree';

type Labels = Record<string, string>;

/** Prometheus' relabelling for the actions these jobs use (replace, labelmap), regexes anchored. */
function relabel(input: Labels, rules: readonly RelabelConfig[]): Labels {
  let labels = { ...input };
  for (const r of rules) {
    const regex = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const action = r.action ?? 'replace';
    if (action === 'labelmap') {
      const mapped: Labels = {};
      for (const [k, v] of Object.entries(labels)) {
        const m = regex.exec(k);
        if (m) mapped[(r.replacement ?? '$1').replace(/\$(\d+)/g, (_, i) => m[Number(i)] ?? '')] = v;
      }
      labels = { ...labels, ...mapped };
    } else if (action === 'replace') {
      const value = (r.source_labels ?? []).map((l) => labels[l] ?? '').join(r.separator ?? ';');
      const m = regex.exec(value);
      if (m) labels[r.target_label!] = (r.replacement ?? '$1').replace(/\$(\d+)/g, (_, i) => m[Number(i)] ?? '');
    } else {
      throw new Error(`relabel action ${action} is not simulated here`);
    }
  }
  return labels;
}

/** A target of `role: node` discovery (Prometheus documents these meta labels). */
const NODE_TARGET: Labels = {
  __address__: '10.70.0.22:10250',
  __meta_kubernetes_node_name: 'talos-cp-2',
  __meta_kubernetes_node_address_InternalIP: '10.70.0.22',
  __meta_kubernetes_node_address_Hostname: 'talos-cp-2',
  __meta_kubernetes_node_label_kubernetes_io_hostname: 'talos-cp-2',
};

describe('kubelet and cAdvisor scrapes', () => {
  const site = siteFrom();
  const jobs = prometheusConfig(site, stackTopology(site, 'kubernetes')).scrape_configs;
  const job = (name: string) => jobs.find((j) => j.job_name === name) as ScrapeConfig;

  test.each([['kubernetes-nodes', '/metrics'], ['kubernetes-cadvisor', '/metrics/cadvisor']])(
    '%s goes to the node\'s InternalIP on 10250 at %s, named by the node',
    (name, path) => {
      const j = job(name);
      const out = relabel({ ...NODE_TARGET, __metrics_path__: j.metrics_path ?? '/metrics' }, j.relabel_configs ?? []);
      expect(out.__address__).toBe('10.70.0.22:10250');
      expect(out.__metrics_path__).toBe(path);
      expect(out.instance).toBe('talos-cp-2');
      expect(out.kubernetes_io_hostname).toBe('talos-cp-2');
    },
  );

  test('TLS is verified with the cluster CA and the pod\'s own token; no API server proxy, no skipped verification', () => {
    for (const name of ['kubernetes-nodes', 'kubernetes-cadvisor']) {
      const j = job(name);
      expect(j.scheme).toBe('https');
      expect(j.tls_config).toEqual({ ca_file: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
      expect(j.authorization).toEqual({ credentials_file: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
      expect(JSON.stringify(j)).not.toMatch(/proxy|kubernetes\.default\.svc|insecure_skip_verify/);
    }
  });

  test('Prometheus may read nodes/metrics and nothing of the kubelet beyond it (no nodes/proxy)', () => {
    const objects = readObjects(writeDeliveryTree(site));
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'monitoring-prometheus') as any;
    const resources = role.rules.flatMap((r: any) => r.resources ?? []);
    expect(resources.filter((r: string) => r.startsWith('nodes/'))).toEqual(['nodes/metrics']);
    expect(role.rules.find((r: any) => (r.resources ?? []).includes('nodes/metrics')).verbs).toEqual(['get']);
    expect(role.rules.find((r: any) => r.nonResourceURLs)).toEqual({ nonResourceURLs: ['/metrics'], verbs: ['get'] });
  });

  test('an approver for the nodes\' serving certificate requests is deployed (test/talos/node-configs asks for the certificates)', () => {
    const objects = readObjects(writeDeliveryTree(site));
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toContain('kubelet-csr-approver');
  });
});
