// The model's public surface.
export * from './ontology.ts';
export * from './schemas.ts';
export * from './ids.ts';
export * from './normalise.ts';
export * from './batch.ts';
