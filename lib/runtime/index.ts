export * from './contract';
export * from './contracts';
export * from './check';
export * from './guard';
export { API_WORKDIR, IDENTITY_ANNOTATIONS, fsStorageRoot, storageUsesPodIdentity } from './paths';
export * from './table';
