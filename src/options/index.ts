export * from './types.ts';
export { DEFAULTS } from './defaults.ts';
export { resolveOptions, stateNames, initialStateValue } from './validate.ts';
export * from './stateDict.ts';
export * from './scalars.ts';
export * from './groups.ts';
