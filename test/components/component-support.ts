/** Synthesizes one component chart from a site (default: the report's) and finds objects in it. */
import { Testing } from 'cdk8s';
import type { Construct } from 'constructs';
import * as YAML from 'yaml';
import { parseSite, type Site, type SiteInput } from '../../site';
import type { ComponentChart, ComponentChartProps } from '../../charts/common/component-chart';
import { stackTopology, type StackTopology } from '../../charts/topology';
import { kubernetesValidator, schemaVersionFor } from '../support/k8s-schemas';

export type ChartClass = new (scope: Construct, id: string, props: ComponentChartProps) => ComponentChart;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  // Tests dig into specs freely.
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface Synthesized {
  readonly site: Site;
  readonly topology: StackTopology;
  /** The chart's objects as they are written: YAML text parsed back. */
  readonly objects: K8sObject[];
  readonly yaml: string;
}

export function siteWith(input: SiteInput = {}): Site {
  return parseSite(input).site;
}

export function synthChart(Chart: ChartClass, site: Site = siteWith(), id = 'component'): Synthesized {
  const topology = stackTopology(site, 'kubernetes');
  const chart = new Chart(Testing.app(), id, { site, topology });
  const yaml = chart.toJson().map((o: unknown) => YAML.stringify(o, { lineWidth: 0 })).join('---\n');
  const objects = YAML.parseAllDocuments(yaml).map((d) => d.toJS() as K8sObject);
  return { site, topology, objects, yaml };
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** Strict schema errors of every object, for the site's Kubernetes version (or the newest older schema). */
export function strictSchemaErrors(site: Site, objects: readonly K8sObject[]): string[] {
  const validator = kubernetesValidator(schemaVersionFor(site.kubernetes.version).version);
  return objects.flatMap((o) => validator.validate(o).map((e) => `${o.kind}/${o.metadata.name} ${e}`));
}
