/** Base of every component chart: namespace from the site, stable names without hashes. */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Site } from '../../site';
import type { StackTopology } from '../topology';

export interface ComponentChartProps {
  /** The validated site. */
  readonly site: Site;
  /** Where the stack's services listen (Kubernetes flavour). */
  readonly topology: StackTopology;
}

export abstract class ComponentChart extends Chart {
  readonly site: Site;
  readonly topology: StackTopology;

  protected constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, { namespace: props.site.kubernetes.namespace, disableResourceNameHashes: true });
    this.site = props.site;
    this.topology = props.topology;
  }
}
