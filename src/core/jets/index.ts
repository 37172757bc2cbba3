export * from './geometry'
export * from './observables'
export * from './generate'
