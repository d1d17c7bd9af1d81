export * from './cluster-config';
export * from './issues';
export * from './validators';
export * from './stack-schema';
export * from './models-schema';
export * from './seeding-schema';
export * from './stack-props-schema';
export * from './inventory-schema';
