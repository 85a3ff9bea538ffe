import { k8s } from '../core/k8s';
import { renderResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { containerSecurityContext, nonRootProfile } from '../core/security';
import { validateImage } from '../core/image';
import { tcpProbe } from '../core/workload';

/** Prometheus exporter sidecar of an embedded store. */
export interface ExporterOptions {
  /** Pinned exporter image. */
  readonly image: string;
}

/** Port name every exporter serves metrics on. */
export const METRICS_PORT_NAME = 'metrics';

/** A restricted, read-only exporter sidecar listening on `port`, authenticating with `password`. */
export function exporterSidecar(
  prop: string,
  o: ExporterOptions,
  port: number,
  env: k8s.EnvVar[],
  password: { name: string; ref: SecretKeyRef },
): k8s.Container {
  validateImage(`${prop}.image`, o.image);
  const probe = tcpProbe(METRICS_PORT_NAME, { period: 30 });
  return {
    name: 'exporter',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: METRICS_PORT_NAME, containerPort: port, protocol: 'TCP' }],
    env: [...env, { name: password.name, valueFrom: password.ref.toEnvSource() }],
    readinessProbe: probe,
    livenessProbe: probe,
    resources: renderResources(`${prop}.resources`, { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '32Mi', memoryLimit: '128Mi' }),
    securityContext: containerSecurityContext(nonRootProfile(65534, { readOnlyRootFilesystem: true })),
  };
}
