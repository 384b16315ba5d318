/**
 * rancher/local-path-provisioner, synthesized (not the upstream Helm chart): a handful of small
 * objects, with the one setting that matters here — volumes go on the Talos data disk at
 * LOCAL_PATH_HOST_DIR — and a StorageClass tuned for GitOps-managed monitoring data.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import * as YAML from 'yaml';
import type { Site } from '../../site';
import { componentLabels, selectorLabels } from '../common/labels';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';
import { LOCAL_PATH_HOST_DIR, LOCAL_PATH_NAMESPACE } from './constants';
import { PLATFORM_VERSIONS, busyboxImage, localPathProvisionerImage } from './versions';

const COMPONENT = 'local-path-provisioner';
/** The provisioner name of the StorageClass this chart ships (rancher/local-path-provisioner's default). */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
/**
 * ServiceAccount of the helper pods. The provisioner overwrites the helper pod's
 * serviceAccountName with its `--service-account-name` flag, whose upstream default
 * (`local-path-provisioner-service-account`, main.go) names an account this chart would not
 * create; the API server then refuses every helper pod and no volume is ever provisioned.
 * Helper pods only run mkdir/rm on the node: their own account has no role binding and no token.
 */
export const LOCAL_PATH_HELPER_SERVICE_ACCOUNT = 'local-path-helper';
/** nobody: the provisioner only talks to the API server; the helper pods do the node work. */
const PROVISIONER_UID = 65534;

/** config.json: every node keeps its volumes under the Talos user volume. */
export function localPathConfig(hostDir: string = LOCAL_PATH_HOST_DIR): string {
  return `${JSON.stringify({ nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [hostDir] }] }, null, 2)}\n`;
}

/**
 * Helper pod template the provisioner runs on the volume's node to create and delete the
 * directory (it injects the hostPath volume and the command). Root is required: the data
 * disk's mount point is owned by root.
 */
function helperPodYaml(): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'helper-pod' },
    spec: {
      // The provisioner keeps this field (it only sets serviceAccountName, restartPolicy, nodeName,
      // volumes, command and args): no API token in a pod that mounts the node's disk as root.
      automountServiceAccountToken: false,
      priorityClassName: 'system-node-critical',
      tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }],
      containers: [{ name: 'helper-pod', image: busyboxImage(), imagePullPolicy: 'IfNotPresent' }],
    },
  };
  return YAML.stringify(pod);
}

/** The provisioner calls these with `-p <path> -s <bytes> -m <mode>`; only the path matters here. */
const SETUP_SCRIPT = [
  '#!/bin/sh',
  'set -eu',
  'while getopts "m:s:p:" opt; do case $opt in p) path=$OPTARG ;; *) ;; esac; done',
  // 0777: pods write with their own (non-root) UIDs; fsGroup then fixes group ownership.
  'mkdir -m 0777 -p "$path"',
  '',
].join('\n');

const TEARDOWN_SCRIPT = [
  '#!/bin/sh',
  'set -eu',
  'while getopts "m:s:p:" opt; do case $opt in p) path=$OPTARG ;; *) ;; esac; done',
  'rm -rf "$path"',
  '',
].join('\n');

export interface LocalPathProvisionerProps {
  readonly site: Site;
  /** Directory on every node that holds the volumes. @default LOCAL_PATH_HOST_DIR */
  readonly hostDir?: string;
}

export class LocalPathProvisioner extends Chart {
  constructor(scope: Construct, id: string, props: LocalPathProvisionerProps) {
    // No chart namespace: cdk8s would stamp it on the cluster-scoped ClusterRole and StorageClass too.
    super(scope, id, { disableResourceNameHashes: true });
    const version = PLATFORM_VERSIONS.localPathProvisioner.tag;
    const labels = componentLabels(COMPONENT, version);
    const metadata = (name: string) => ({ name, namespace: LOCAL_PATH_NAMESPACE, labels });
    const clusterMetadata = (name: string) => ({ name, labels });

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(COMPONENT),
      automountServiceAccountToken: true,
    });
    new k8s.KubeServiceAccount(this, 'HelperServiceAccount', {
      metadata: metadata(LOCAL_PATH_HELPER_SERVICE_ACCOUNT),
      automountServiceAccountToken: false,
    });
    const clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: clusterMetadata(COMPONENT),
      rules: [
        // pods/log: the provisioner reads a failed helper pod's log into the claim's events.
        { apiGroups: [''], resources: ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: clusterMetadata(COMPONENT),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: LOCAL_PATH_NAMESPACE }],
    });
    // Helper pods are created in the provisioner's own namespace only.
    const role = new k8s.KubeRole(this, 'Role', {
      metadata: metadata(COMPONENT),
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] }],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: metadata(COMPONENT),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: LOCAL_PATH_NAMESPACE }],
    });

    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: metadata('local-path-config'),
      data: {
        'config.json': localPathConfig(props.hostDir),
        setup: SETUP_SCRIPT,
        teardown: TEARDOWN_SCRIPT,
        'helperPod.yaml': helperPodYaml(),
      },
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: metadata(COMPONENT),
      spec: {
        replicas: 1,
        // Recreate: two provisioners must never race on the same claim.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(COMPONENT) },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            securityContext: restrictedPodSecurity(PROVISIONER_UID),
            containers: [{
              name: COMPONENT,
              image: localPathProvisionerImage(),
              imagePullPolicy: 'IfNotPresent',
              command: [
                'local-path-provisioner', '--debug', 'start', '--config', '/etc/config/config.json',
                '--service-account-name', LOCAL_PATH_HELPER_SERVICE_ACCOUNT,
              ],
              env: [
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                // Re-read config.json/setup/teardown from this mount when the ConfigMap changes.
                { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
              ],
              securityContext: restrictedContainerSecurity(),
              resources: {
                requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
                limits: { memory: k8s.Quantity.fromString('128Mi') },
              },
              volumeMounts: [{ name: 'config', mountPath: '/etc/config/', readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: config.name } }],
          },
        },
      },
    });

    new k8s.KubeStorageClass(this, 'StorageClass', {
      metadata: {
        name: props.site.kubernetes.storageClass,
        labels,
        annotations: {
          // `local` PVs (node affinity, not hostPath) so Velero's file-system backup can read them.
          defaultVolumeType: 'local',
        },
      },
      provisioner: LOCAL_PATH_PROVISIONER,
      // Bind where the pod is scheduled: a local volume cannot follow a pod to another node.
      volumeBindingMode: 'WaitForFirstConsumer',
      // Retain: a PVC deleted by a prune (or by hand) leaves the TSDB/Loki data on the disk.
      reclaimPolicy: 'Retain',
      // local-path cannot grow a directory's quota; refuse resize requests up front.
      allowVolumeExpansion: false,
    });
  }
}
