/** Names simple-scalable Loki's objects share with their clients (alerts, Alertmanager's policy). */
import { lokiTargetComponent } from '../../site/workloads';

/** Pod label of every ring member (all three targets): the memberlist Service selects it. */
export const LOKI_RING_LABEL = 'monitoring-stack/loki-ring';

/** The component of simple-scalable Loki whose pods run the ruler (they send to Alertmanager). */
export const LOKI_RULER_COMPONENT = lokiTargetComponent('backend');
