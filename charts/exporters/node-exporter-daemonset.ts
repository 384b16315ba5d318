/**
 * node_exporter on every Talos node: the hosts the cluster runs on get the same host metrics as
 * the guests and pve01 (CPU, memory, filesystems, network), so the `hosts` alerts cover them too.
 *
 * The one monitoring workload outside Pod Security "restricted": it must see the host, not its
 * container, which takes the host's network and PID namespaces and read-only hostPath mounts of
 * /proc, /sys and / (Pod Security "privileged" for those fields alone; the container itself still
 * runs as nobody, read-only, without capabilities). Its own namespace keeps that exception away
 * from the stack's. Host networking bypasses NetworkPolicies: the port answers on the node's
 * own address (not the shared API VIP), like node_exporter on the guests.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { IMAGES, imageRef } from '../common/images';
import { componentLabels, selectorLabels } from '../common/labels';
import { smallPodResources } from '../common/resources';
import { restrictedContainerSecurity } from '../common/security';
import { HOST_METRICS_NAMESPACE } from '../platform/constants';
import { PORTS } from '../topology';

const COMPONENT = 'node-exporter';
/** nobody: node_exporter reads world-readable /proc and /sys files only. */
const UID = 65534;
const RESOURCES = { cpu: 0.05, memoryMiB: 64, memoryLimitMiB: 128 };
/** Where the host's filesystems appear in the container. */
const HOST = { proc: '/host/proc', sys: '/host/sys', root: '/host/root' } as const;

export class NodeExporterDaemonSet extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: HOST_METRICS_NAMESPACE, disableResourceNameHashes: true });
    const version = IMAGES.nodeExporter.tag.replace(/^v/, '');
    const labels = componentLabels(COMPONENT, version);
    const hostPath = (name: keyof typeof HOST, path: string) => ({ name, hostPath: { path, type: 'Directory' } });
    new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: COMPONENT, labels },
      spec: {
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            hostNetwork: true,
            hostPid: true,
            // Every node, the control planes included (Talos keeps their taint unless scheduling is allowed).
            tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
            securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: COMPONENT,
              image: imageRef('nodeExporter'),
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--path.procfs=${HOST.proc}`, `--path.sysfs=${HOST.sys}`, `--path.rootfs=${HOST.root}`,
                // The node's own address only (not the API VIP the control planes share).
                `--web.listen-address=$(HOST_IP):${PORTS.nodeExporter}`,
                // Container and pod mounts and virtual interfaces would drown the host's own.
                '--collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys|var/lib/kubelet/.+|var/lib/containerd/.+)($|/)',
                '--collector.netclass.ignored-devices=^(veth.*|cni.*|flannel.*)$',
                '--collector.netdev.device-exclude=^(veth.*|cni.*|flannel.*)$',
                // Device properties for node_disk_info come from the host's udev database.
                `--path.udev.data=${HOST.root}/run/udev/data`,
              ],
              env: [{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }],
              ports: [{ name: 'metrics', containerPort: PORTS.nodeExporter, hostPort: PORTS.nodeExporter, protocol: 'TCP' }],
              resources: smallPodResources(RESOURCES),
              securityContext: restrictedContainerSecurity(),
              readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10, timeoutSeconds: 5 },
              livenessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20, timeoutSeconds: 5 },
              volumeMounts: [
                { name: 'proc', mountPath: HOST.proc, readOnly: true },
                { name: 'sys', mountPath: HOST.sys, readOnly: true },
                // HostToContainer: filesystems mounted on the host later (new volumes) show up too.
                { name: 'root', mountPath: HOST.root, readOnly: true, mountPropagation: 'HostToContainer' },
              ],
            }],
            volumes: [hostPath('proc', '/proc'), hostPath('sys', '/sys'), hostPath('root', '/')],
          },
        },
      },
    });
  }
}
