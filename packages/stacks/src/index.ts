// topology file → validated model → stages and stacks → constructs.
export * from './topology';
export * from './plan';
export * from './stages';
