/**
 * The small shared helpers of charts/common/ pinned in-process (mutation testing, issue 18): the
 * checksum, labels, images, resources and security contexts, claims, the LoadBalancer and
 * management endpoints as they synthesize, who may send logs, and the slow-probe threshold.
 * Everything is built inside each test; expectations are written out, not read back from the code.
 */
import { createHash } from 'node:crypto';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { configChecksumAnnotation } from '../../charts/common/checksum';
import { talosLoggingDestination, talosLogsEnabled } from '../../charts/common/cluster-contract';
import { ComponentChart } from '../../charts/common/component-chart';
import { imageRef } from '../../charts/common/images';
import { componentLabels, selectorLabels } from '../../charts/common/labels';
import { LoadBalancerService, metallbPoolName } from '../../charts/common/load-balancer';
import { logClientSources } from '../../charts/common/log-clients';
import { ManagementEndpoints } from '../../charts/common/management-endpoints';
import { cpuQuantity, quantityGi, resourcesFor, smallPodResources } from '../../charts/common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../../charts/common/security';
import { RETAIN_CLAIMS, volumeClaimTemplate } from '../../charts/common/storage';
import { slowProbeSeconds } from '../../charts/common/thresholds';
import { stackTopology } from '../../charts/topology';
import { parseSite, type Site, type SiteInput } from '../../site';

/** cdk8s Quantity objects as the text they synthesize to. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && Object.keys(v).join() === 'value' ? v.value : v)));
const siteOf = (input: SiteInput = {}): Site => parseSite(input).site;
const SELECT = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'monitoring-stack' });
const LABELS = (name: string, version: string) => ({ ...SELECT(name), 'app.kubernetes.io/version': version, 'app.kubernetes.io/managed-by': 'cdk8s' });

describe('checksum, labels, images', () => {
  test('the config checksum hashes each config with a separator, in order', () => {
    const expected = (text: string) => ({ 'checksum/config': createHash('sha256').update(text).digest('hex') });
    expect(configChecksumAnnotation('a', 'b')).toEqual(expected('a\0b\0'));
    expect(configChecksumAnnotation()).toEqual(expected(''));
    // Without the separator, "ab" + "" and "a" + "b" would hash the same.
    expect(configChecksumAnnotation('ab', '')).not.toEqual(configChecksumAnnotation('a', 'b'));
    expect(configChecksumAnnotation('b', 'a')).not.toEqual(configChecksumAnnotation('a', 'b'));
  });

  test('labels: the selector pair, and the version without its leading v only', () => {
    expect(selectorLabels('loki')).toEqual(SELECT('loki'));
    expect(componentLabels('loki', 'v3.7.6')).toEqual(LABELS('loki', '3.7.6'));
    expect(componentLabels('loki', '3.7.6-v2')).toEqual(LABELS('loki', '3.7.6-v2'));
  });

  test('images are repository:tag', () => {
    expect(imageRef('prometheus')).toMatch(/^quay\.io\/prometheus\/prometheus:v\d+\.\d+\.\d+$/);
    expect(imageRef('grafana')).toMatch(/^docker\.io\/grafana\/grafana:\d+\.\d+\.\d+$/);
  });
});

describe('resources', () => {
  test('CPU: whole cores as integers, fractions in millicores', () => {
    expect([cpuQuantity(2), cpuQuantity(0.5), cpuQuantity(1.25), cpuQuantity(0.0004)]).toEqual(['2', '500m', '1250m', '0m']);
  });

  test('memory: whole GiB as Gi, fractions in Mi', () => {
    expect([quantityGi(8), quantityGi(0.5), quantityGi(1.094), quantityGi(0)]).toEqual(['8Gi', '512Mi', '1120Mi', '0Gi']);
  });

  test('a service: CPU and memory requested, memory limited at the request, no CPU limit', () => {
    const r = plain(resourcesFor({ cpu: 1.5, memoryGiB: 2 }));
    expect(r).toEqual({ requests: { cpu: '1500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
  });

  test('a small pod: its own memory limit above the request', () => {
    const r = plain(smallPodResources({ cpu: 0.05, memoryMiB: 64, memoryLimitMiB: 128 }));
    expect(r).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } });
    expect(plain(smallPodResources({ cpu: 1, memoryMiB: 1024, memoryLimitMiB: 2048 }))).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } });
  });
});

describe('security contexts and claims', () => {
  test('the pod context: the UID for user, group and fsGroup, no re-chown of a matching root, RuntimeDefault', () => {
    expect(restrictedPodSecurity(65534)).toEqual({
      runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('the container context: no escalation, read-only root, every capability dropped', () => {
    expect(restrictedContainerSecurity()).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('a claim template: one writer, the class, the size', () => {
    expect(plain(volumeClaimTemplate('data', 100, 'local-path'))).toEqual({
      metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '100Gi' } } },
    });
    expect(RETAIN_CLAIMS).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });
});

describe('Talos logs', () => {
  test('the destination follows the log address, and the hostname is the host tag', () => {
    const site = siteOf({ loki: { address: '10.70.0.50' } });
    expect(talosLoggingDestination(site, 'cp-9')).toEqual({ endpoint: 'tcp://10.70.0.50:5170/', format: 'json_lines', extraTags: { host: 'cp-9' } });
    expect(talosLogsEnabled(site)).toBe(true);
    expect(talosLogsEnabled(siteOf({ integrations: { logs: { talos: false } } }))).toBe(false);
  });
});

describe('synthesized pieces', () => {
  const synth = (build: (chart: Chart, site: Site) => void, site: Site = siteOf()) => {
    const chart = new Chart(Testing.app(), 'test');
    build(chart, site);
    return Testing.synth(chart) as any[];
  };

  test('a component chart takes the site\'s namespace and keeps names without hashes', () => {
    class Demo extends ComponentChart {}
    const site = siteOf({ kubernetes: { namespace: 'obs-lab' } });
    const topology = stackTopology(site, 'kubernetes');
    const chart = new (Demo as any)(Testing.app(), 'demo', { site, topology }) as ComponentChart;
    expect(chart.namespace).toBe('obs-lab');
    expect(chart.site).toBe(site);
    expect(chart.topology).toBe(topology);
    expect(new ApiObject(chart, 'Child', { apiVersion: 'v1', kind: 'ConfigMap' }).name).toBe('demo-child');
  });

  test('the MetalLB pool is named after the VLAN', () => {
    const site = siteOf();
    expect(metallbPoolName({ ...site, network: { ...site.network, vlanId: 71 } })).toBe('monitoring-vlan71');
  });

  test('a LoadBalancer with every option', () => {
    let policySources: string[] = [];
    const [service] = synth((chart, site) => {
      policySources = new LoadBalancerService(chart, 'lb', {
        site, name: 'loki-lb', component: 'loki', version: 'v3.7.6', address: '10.70.0.12',
        ports: [{ name: 'http', port: 3100 }], sourceRanges: ['10.88.140.0/24'], shareKey: 'loki', publishNotReadyAddresses: true,
      }).policySources;
    });
    expect(service).toEqual({
      apiVersion: 'v1', kind: 'Service',
      metadata: {
        name: 'loki-lb', labels: LABELS('loki', '3.7.6'),
        annotations: { 'metallb.io/address-pool': 'monitoring-vlan70', 'metallb.io/loadBalancerIPs': '10.70.0.12', 'metallb.io/allow-shared-ip': 'loki' },
      },
      spec: {
        type: 'LoadBalancer', selector: SELECT('loki'), ports: [{ name: 'http', port: 3100 }], externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: ['10.88.140.0/24'], publishNotReadyAddresses: true,
      },
    });
    expect(policySources).toEqual(['10.88.140.0/24']);
  });

  test('a LoadBalancer with none: open to any source, not shared, ready pods only', () => {
    let policySources: string[] = [];
    const [service] = synth((chart, site) => {
      policySources = new LoadBalancerService(chart, 'lb', { site, name: 'syslog', component: 'syslog', version: '1.0', address: '10.70.0.13', ports: [{ port: 514 }] }).policySources;
    });
    expect(service.metadata.annotations).toEqual({ 'metallb.io/address-pool': 'monitoring-vlan70', 'metallb.io/loadBalancerIPs': '10.70.0.13' });
    expect(service.spec).toEqual({ type: 'LoadBalancer', selector: SELECT('syslog'), ports: [{ port: 514 }], externalTrafficPolicy: 'Local' });
    expect(policySources).toEqual(['0.0.0.0/0']);
  });

  test('management endpoints: headless Service, LoadBalancer from the management VLAN and extras, and the policy', () => {
    const objects = synth((chart, site) => new ManagementEndpoints(chart, 'am', {
      site, component: 'alertmanager', version: 'v0.34.0', port: 9093, address: '10.70.0.14',
      inClusterClients: ['prometheus', 'grafana'], extraSources: ['10.88.150.3/32'],
      peerPorts: [{ name: 'mesh-tcp', port: 9094, protocol: 'TCP' }, { name: 'mesh-udp', port: 9094, protocol: 'UDP' }],
    }));
    const http = { name: 'http', port: 9093, targetPort: 9093, protocol: 'TCP' };
    expect(objects).toEqual([
      {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'alertmanager', labels: LABELS('alertmanager', '0.34.0') },
        spec: {
          clusterIP: 'None', publishNotReadyAddresses: true, selector: SELECT('alertmanager'),
          ports: [http, { name: 'mesh-tcp', port: 9094, targetPort: 9094, protocol: 'TCP' }, { name: 'mesh-udp', port: 9094, targetPort: 9094, protocol: 'UDP' }],
        },
      },
      {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'alertmanager-lb', labels: LABELS('alertmanager', '0.34.0'), annotations: { 'metallb.io/address-pool': 'monitoring-vlan70', 'metallb.io/loadBalancerIPs': '10.70.0.14' } },
        spec: { type: 'LoadBalancer', selector: SELECT('alertmanager'), ports: [http], externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['10.88.140.0/24', '10.88.150.3/32'] },
      },
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'alertmanager', labels: LABELS('alertmanager', '0.34.0') },
        spec: {
          podSelector: { matchLabels: SELECT('alertmanager') }, policyTypes: ['Ingress'],
          ingress: [
            { ports: [{ port: 9093, protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.88.140.0/24' } }, { ipBlock: { cidr: '10.88.150.3/32' } }, { podSelector: { matchLabels: SELECT('prometheus') } }, { podSelector: { matchLabels: SELECT('grafana') } }] },
            { ports: [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }], from: [{ podSelector: { matchLabels: SELECT('alertmanager') } }] },
          ],
        },
      },
    ]);
  });

  test('management endpoints without peers or extras: ready pods only, one rule, the management VLAN alone', () => {
    const [headless, lb, policy] = synth((chart, site) => new ManagementEndpoints(chart, 'g', {
      site, component: 'grafana', version: '13.2.0', port: 3000, address: '10.70.0.11', inClusterClients: [],
    }));
    expect(headless.spec).toEqual({ clusterIP: 'None', selector: SELECT('grafana'), ports: [{ name: 'http', port: 3000, targetPort: 3000, protocol: 'TCP' }] });
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['10.88.140.0/24']);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 3000, protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.88.140.0/24' } }] }]);
  });
});

describe('log clients', () => {
  const withAddresses = (hosts: string[], guests: (string | undefined)[]): Site => {
    const site = siteOf();
    return {
      ...site,
      proxmox: {
        ...site.proxmox,
        additionalHosts: hosts.map((address, i) => ({ node: `pve0${i + 2}`, address })),
        guests: guests.map((address, i) => ({ vmid: 200 + i, name: `g${i}`, role: 'other', ...(address ? { address } : {}) })),
      },
    } as Site;
  };

  test('the report site: the management VLAN alone (every host and guest lives in it)', () => {
    expect(logClientSources(siteOf())).toEqual(['10.88.140.0/24']);
  });

  test('hosts and guests outside it are added once each, in numeric order; the VLAN\'s first and last addresses are inside', () => {
    const site = withAddresses(['10.10.0.5', '10.88.140.0'], ['10.9.0.1', '10.88.139.255', '10.88.140.255', '10.88.141.0', undefined, '10.9.0.1']);
    expect(logClientSources(site)).toEqual(['10.88.140.0/24', '10.9.0.1/32', '10.10.0.5/32', '10.88.139.255/32', '10.88.141.0/32']);
  });
});

describe('the slow-probe threshold', () => {
  test.each([['15s', 3], ['4s', 2.1], ['3s', 1.5], ['4100ms', 2.2], ['1m', 3]])('at a %s scrape interval it is %s s', (interval, seconds) => {
    expect(slowProbeSeconds(siteOf({ prometheus: { scrapeInterval: interval, evaluationInterval: interval } }))).toBe(seconds);
  });
});
