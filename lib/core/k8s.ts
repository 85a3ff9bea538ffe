/**
 * The Kubernetes API objects (L1 classes) of cdk8s-plus-28, imported from its generated module rather than the
 * package root (which also loads every L2 construct), and in one place for the whole library.
 */
export * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
