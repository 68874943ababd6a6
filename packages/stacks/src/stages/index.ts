export * from './naming';
export * from './repository-groups';
export * from './registry-stack';
export * from './repositories-stack';
export * from './registry-stage';
export * from './destination-stage';
export * from './source-stage';
export * from './security-checks';
