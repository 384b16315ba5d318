/** A single-replica exporter Deployment with its ClusterIP Service and a Prometheus-only NetworkPolicy. */
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { configChecksumAnnotation } from '../common/checksum';
import { componentLabels, selectorLabels } from '../common/labels';
import { IngressPolicy } from '../common/network-policy';
import { smallPodResources } from '../common/resources';
import { restrictedContainerSecurity, restrictedPodSecurity } from '../common/security';

export interface ExporterDeploymentProps {
  /** Component name: Deployment, Service and selector. */
  readonly component: string;
  readonly image: string;
  readonly version: string;
  readonly port: number;
  /** UID the image runs as. */
  readonly uid: number;
  readonly args: string[];
  /** Config file text mounted from a ConfigMap at configMountPath. @default - no config file */
  readonly config?: { fileName: string; text: string; mountPath: string };
  /** Secret whose keys become environment variables. @default - none */
  readonly envFromSecret?: string;
  /** Path answering 200 when the exporter is up. */
  readonly healthPath: string;
}

/** Exporters are small: 100m CPU / 128 MiB requested, memory limited at 256 MiB. */
const EXPORTER_RESOURCES = { cpu: 0.1, memoryMiB: 128, memoryLimitMiB: 256 };

export class ExporterDeployment extends Construct {
  constructor(scope: Construct, id: string, props: ExporterDeploymentProps) {
    super(scope, id);
    const labels = componentLabels(props.component, props.version);
    if (props.config) {
      new k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${props.component}-config`, labels }, data: { [props.config.fileName]: props.config.text } });
    }
    new k8s.KubeService(this, 'Service', {
      metadata: { name: props.component, labels },
      spec: { selector: selectorLabels(props.component), ports: [{ name: 'http', port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port), protocol: 'TCP' }] },
    });
    new IngressPolicy(this, 'NetworkPolicy', {
      component: props.component, version: props.version,
      rules: [{ ports: [{ port: props.port, protocol: 'TCP' }], fromComponents: ['prometheus'] }],
    });
    const probe = (periodSeconds: number): k8s.Probe => ({ httpGet: { path: props.healthPath, port: k8s.IntOrString.fromString('http') }, periodSeconds, timeoutSeconds: 5 });
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: props.component, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(props.component) },
        template: {
          metadata: { labels, ...(props.config ? { annotations: configChecksumAnnotation(props.config.text) } : {}) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(props.uid),
            containers: [{
              name: props.component,
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              args: props.args,
              ports: [{ name: 'http', containerPort: props.port, protocol: 'TCP' }],
              ...(props.envFromSecret ? { envFrom: [{ secretRef: { name: props.envFromSecret } }] } : {}),
              resources: smallPodResources(EXPORTER_RESOURCES),
              securityContext: restrictedContainerSecurity(),
              readinessProbe: probe(10),
              livenessProbe: probe(20),
              volumeMounts: [
                // Read-only root: pve_exporter's gunicorn workers need a writable temp dir for heartbeats.
                { name: 'tmp', mountPath: '/tmp' },
                ...(props.config ? [{ name: 'config', mountPath: props.config.mountPath, readOnly: true }] : []),
              ],
            }],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ...(props.config ? [{ name: 'config', configMap: { name: `${props.component}-config` } }] : []),
            ],
          },
        },
      },
    });
  }
}
