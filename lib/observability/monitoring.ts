import { Construct } from 'constructs';
import { guardApp } from '../core/collisions';
import { ServiceMonitor } from '../../imports/servicemonitor-monitoring.coreos.com';
import { NetworkPeer, PodPeer } from '../core/connections';
import { metadataLabels } from '../core/labels';
import { invalid } from '../core/validation';
import { HEADLESS_LABEL } from '../core/workload';
import { DifyStatefulStore } from '../stores/stateful-store';
import { guardProps } from '../core/guard';
import { validateLabels } from '../core/k8s-rules';

/** Props of {@link DifyMonitoring}. */
export interface DifyMonitoringProps {
  readonly instance: string;
  /** Stores that serve metrics (`metricsPort`); others are skipped. */
  readonly targets: readonly DifyStatefulStore[];
  /** The Prometheus pods that scrape: wiring opens their flow to each target's metrics port. @default - no flow recorded */
  readonly scraper?: PodPeer | NetworkPeer;
  /** Labels your Prometheus selects ServiceMonitors by (e.g. `release: kube-prometheus-stack`). @default {} */
  readonly serviceMonitorLabels?: Record<string, string>;
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
}

/**
 * prometheus-operator ServiceMonitors (CRD imported from crds/) for every
 * component that serves Prometheus metrics: the PostgreSQL and Redis
 * exporter sidecars and Weaviate. Dify's own processes export traces and
 * metrics over OTLP instead (settings.otel).
 */
export class DifyMonitoring extends Construct {
  public readonly serviceMonitors: ServiceMonitor[] = [];

  constructor(scope: Construct, id: string, props: DifyMonitoringProps) {
    super(scope, id);
    guardProps('DifyMonitoringProps', props, 'monitoring');
    guardApp(this);
    const interval = props.interval ?? '30s';
    if (!/^[0-9]+(ms|s|m|h)$/.test(interval)) invalid('monitoring.interval', interval, 'must be a Prometheus duration such as "30s" or "1m"');
    validateLabels('monitoring.serviceMonitorLabels', props.serviceMonitorLabels);
    const targets = props.targets.filter((t) => t.metricsPort !== undefined);
    if (targets.length === 0) invalid('monitoring', 'enabled', 'has nothing to scrape: enable postgres/redis exporters or weaviate metrics');
    const scraper =
      props.scraper === undefined
        ? undefined
        : props.scraper instanceof NetworkPeer
          ? props.scraper
          : NetworkPeer.fromPodPeer('monitoring.prometheus', props.scraper);
    for (const t of targets) {
      if (scraper) t.connections.allowFrom(scraper, [t.metricsPort!]);
      const w = t.workload;
      this.serviceMonitors.push(
        new ServiceMonitor(this, w.name, {
          metadata: {
            name: w.name,
            labels: { ...metadataLabels({ instance: props.instance, component: w.selector['app.kubernetes.io/component'] }), ...props.serviceMonitorLabels },
          },
          spec: {
            selector: { matchLabels: w.selector, matchExpressions: [{ key: HEADLESS_LABEL, operator: 'DoesNotExist' }] },
            endpoints: [{ port: 'metrics', interval, path: '/metrics' }],
          },
        }),
      );
    }
  }
}
