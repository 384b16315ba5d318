/** Every pod a dist/ object can start, with where it sits, for checks over pod templates. */
import * as YAML from 'yaml';
import type { DistObject } from './dist-tree';

export type Container = {
  name: string; image?: string; securityContext?: any; ports?: { name?: string; containerPort?: number; hostPort?: number }[];
  [field: string]: any;
};
export type PodSpec = {
  containers: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[];
  securityContext?: any; volumes?: Record<string, unknown>[];
  hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean;
  serviceAccountName?: string; automountServiceAccountToken?: boolean; priorityClassName?: string;
};
export interface Pod {
  readonly where: string;
  readonly namespace?: string;
  /** The pod template's labels (what Service and NetworkPolicy selectors match). */
  readonly labels: Record<string, string>;
  readonly spec: PodSpec;
}

/** The pod template of every workload kind, by where it sits in the object. */
export function podsOf(o: DistObject): Pod[] {
  const spec = o.spec as any;
  const where = `${o.file}: ${o.kind}/${o.metadata.name}`;
  type Template = { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } | undefined;
  const pod = (t: Template, path: string): Pod[] => (t?.spec
    ? [{ where: `${where} ${path}`, namespace: o.metadata.namespace, labels: t.metadata?.labels ?? {}, spec: t.spec }]
    : []);
  switch (o.kind) {
    case 'Pod': return pod({ metadata: o.metadata, spec }, 'spec');
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return pod(spec?.template, 'spec.template.spec');
    case 'CronJob': return pod(spec?.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template.spec');
    case 'ConfigMap':
      // local-path-provisioner's helper pod template (the provisioner adds command and hostPath).
      return Object.entries((o as any).data ?? {}).filter(([k]) => k === 'helperPod.yaml')
        .flatMap(([k, v]) => pod(YAML.parse(v as string) as Template, `data["${k}"].spec`));
    default: return [];
  }
}

