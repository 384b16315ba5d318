export { renderLxcPath, LXC_DIR, LXC_SCRIPT } from './render-lxc-path';
export { lxcContainers, LXC_SERVICES, type LxcContainer, type LxcService } from './containers';
export { lxcVmid } from '../site/derived';
export { lxcDeployPlan, lxcManualSteps, firstRunCommandCount } from './deploy-plan';
export { pathDifferences, type ConfigDifference } from './parity';
export { renderComparison, comparisonHeadline, COMPARISON_DIR } from './comparison/render-comparison';
export { computeComparison, type Comparison } from './comparison/model';
