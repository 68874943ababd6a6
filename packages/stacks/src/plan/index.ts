export { planSummary } from './summary';
export { topologyMermaid } from './mermaid';
export { deploymentOrder } from './order';
export type { DeploymentOrder } from './order';
