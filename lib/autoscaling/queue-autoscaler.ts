import { Construct } from 'constructs';
import { guardApp } from '../core/collisions';
import { ScaledObject, ScaledObjectSpecTriggersAuthenticationRefKind } from '../../imports/scaledobject-keda.sh';
import {
  TriggerAuthentication,
  TriggerAuthenticationSpecConfigMapTargetRef,
  TriggerAuthenticationSpecSecretTargetRef,
} from '../../imports/triggerauthentication-keda.sh';
import { metadataLabels } from '../core/labels';
import { ConfigMapKeyRef, FileSource, SecretKeyRef } from '../core/secret-ref';
import { invalid, validateDnsLabel, validateDnsSubdomain, validateInt } from '../core/validation';
import { validateQueueName } from './celery-queues';
import { guardProps } from '../core/guard';

/** The workload KEDA scales (`spec.scaleTargetRef`). */
export interface ScaleTarget {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /** The workload's name, e.g. `dify-worker-indexing`. */
  readonly name: string;
}

/** TLS towards Redis (KEDA's redis scaler reads `ca`, `cert` and `key` from the TriggerAuthentication). */
export interface QueueAutoscalerRedisTls {
  /** CA certificate (PEM) that signed the Redis server certificate, from a Secret or ConfigMap key. @default the system roots of KEDA's operator image */
  readonly ca?: FileSource;
  /** Client certificate (PEM) for mutual TLS, from a Secret key; with `key`. @default - none */
  readonly cert?: SecretKeyRef;
  /** Client private key (PEM) for mutual TLS, from a Secret key; with `cert`. @default - none */
  readonly key?: SecretKeyRef;
  /** Skip certificate verification (KEDA `unsafeSsl`): only for self-signed test setups. @default false */
  readonly unsafeSkipVerify?: boolean;
}

/** The Celery broker KEDA reads the queue lengths from: a standalone Redis (Sentinel and Cluster need other scalers). */
export interface QueueAutoscalerRedis {
  /**
   * `host:port` of the broker as KEDA's operator reaches it, e.g. `dify-redis.dify.svc:6379`. The operator
   * runs in its own namespace, so a Service name must be qualified with the namespace (a single-label host
   * such as `dify-redis` is rejected); an IP address is accepted as is.
   */
  readonly address: string;
  /** Database index of the Celery broker (the db of `CELERY_BROKER_URL`; upstream's compose uses 1). */
  readonly database: number;
  /** The Redis password; read by KEDA through a `TriggerAuthentication`, never written into the trigger. */
  readonly password: SecretKeyRef;
  /** ACL user name: plain text (not a credential, goes into the trigger) or a Secret key. @default none (the `default` user) */
  readonly username?: string | SecretKeyRef;
  /** Connect with TLS. @default plain TCP */
  readonly tls?: QueueAutoscalerRedisTls;
}

/** Props of {@link DifyQueueAutoscaler}. */
export interface DifyQueueAutoscalerProps {
  /** Installation name (`app.kubernetes.io/instance`). */
  readonly instance: string;
  /** `app.kubernetes.io/component` of the objects. @default the target's name without the `<instance>-` prefix */
  readonly component?: string;
  /** The worker workload to scale. */
  readonly target: ScaleTarget;
  /** Replicas when every queue is empty; 0 lets KEDA scale the pool to zero. */
  readonly minReplicas: number;
  /** Upper bound on replicas (at least 1 and at least minReplicas). */
  readonly maxReplicas: number;
  /** The Celery queues the target consumes (its `CELERY_QUEUES`): one `redis` trigger each. */
  readonly queues: readonly string[];
  /** The broker. */
  readonly redis: QueueAutoscalerRedis;
  /** Target waiting tasks per replica, per queue (KEDA `listLength`, an average value). @default 5 */
  readonly listLength?: number;
  /** Waiting tasks above which a pool at zero replicas is woken up (KEDA `activationListLength`). @default 0 */
  readonly activationListLength?: number;
  /** Seconds between two reads of the queue lengths. @default 30 */
  readonly pollingInterval?: number;
  /** Seconds after the last active trigger before scaling to zero (only applies with minReplicas 0). @default 300 */
  readonly cooldownPeriod?: number;
}

const API_VERSION = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/;
const IPV6_BRACKETED = /^\[[0-9A-Fa-f:.]+\]$/;
const USERNAME = /^[!-~]{1,128}$/;

function validateAddress(prop: string, value: string): string {
  const m = typeof value === 'string' ? /^(.+):([0-9]{1,5})$/.exec(value) : null;
  const host = m?.[1] ?? '';
  const port = Number(m?.[2]);
  const hostOk = (host.length <= 253 && DNS_SUBDOMAIN.test(host)) || IPV4.test(host) || IPV6_BRACKETED.test(host);
  if (!m || !hostOk || port < 1 || port > 65535) {
    invalid(prop, value, 'must be "host:port" with a DNS name or IP address (IPv6 in brackets) and a port from 1 to 65535, e.g. "dify-redis.dify.svc:6379"');
  }
  if (!host.includes('.') && !host.startsWith('[')) {
    invalid(
      prop,
      value,
      `must qualify the Service with its namespace, e.g. "${host}.<namespace>.svc:${port}": KEDA's operator resolves the name from its own namespace`,
    );
  }
  return value;
}

/** The value is never echoed: a plain string given here is likely the credential itself. */
function validateSecretRef(prop: string, value: unknown): SecretKeyRef {
  if (!(value instanceof SecretKeyRef))
    invalid(prop, value === undefined ? undefined : `<${typeof value}>`, 'must be a SecretKeyRef (SecretKeyRef.of(secretName, key))');
  return value;
}

/**
 * Scales a Celery worker pool on the length of its queues with KEDA: a `ScaledObject` with one `redis`
 * (list length) trigger per queue, and a `TriggerAuthentication` that reads the broker password (and
 * optionally the user name and CA) from Secrets. KEDA creates and owns the HPA of the target
 * (`keda-hpa-<name>`): the target must not have an HPA of its own.
 *
 * Kombu keeps each Celery queue as a Redis list named after the queue (messages without a priority, which
 * is how Dify publishes, go to the bare name), so `listName` is the queue name. Tasks already taken by a
 * worker are not in the list: the signal is the backlog, not the work in progress. Dify also throttles
 * document indexing per tenant (`TENANT_ISOLATED_TASK_CONCURRENCY`): one tenant's excess uploads wait in
 * Dify's own Redis keys and only reach the `dataset`/`priority_dataset` lists as earlier ones finish.
 *
 * KEDA's operator connects to the broker itself: network policies must admit it to Redis.
 */
export class DifyQueueAutoscaler extends Construct {
  public readonly scaledObject: ScaledObject;
  public readonly triggerAuthentication: TriggerAuthentication;
  /** Name of the HPA KEDA creates for the target. */
  public readonly hpaName: string;

  constructor(scope: Construct, id: string, props: DifyQueueAutoscalerProps) {
    super(scope, id);
    guardProps('DifyQueueAutoscalerProps', props);
    guardApp(this);
    const instance = validateDnsLabel('instance', props.instance);
    const target = props.target;
    if (typeof target?.apiVersion !== 'string' || !API_VERSION.test(target.apiVersion)) {
      invalid('target.apiVersion', target?.apiVersion, 'must be an API version such as "apps/v1"');
    }
    if (typeof target.kind !== 'string' || !KIND.test(target.kind)) invalid('target.kind', target.kind, 'must be a kind such as "Deployment"');
    validateDnsSubdomain('target.name', target.name);
    // KEDA names its HPA keda-hpa-<name>; the TriggerAuthentication adds a suffix: both must stay valid names.
    if (target.name.length > 230) invalid('target.name', target.name, 'must be at most 230 characters (KEDA derives longer names from it)');
    const component = validateDnsLabel(
      'component',
      props.component ?? (target.name.startsWith(`${instance}-`) ? target.name.slice(instance.length + 1) : target.name),
    );

    const maxReplicas = validateInt('maxReplicas', props.maxReplicas, 1, 1000);
    const minReplicas = validateInt('minReplicas', props.minReplicas, 0, 1000);
    if (minReplicas > maxReplicas) invalid('minReplicas', minReplicas, `must be at most maxReplicas (${maxReplicas})`);
    if (!Array.isArray(props.queues) || props.queues.length === 0) invalid('queues', props.queues, 'must list at least one Celery queue');
    const seen = new Set<string>();
    props.queues.forEach((q, i) => {
      validateQueueName(`queues[${i}]`, q);
      if (seen.has(q)) invalid(`queues[${i}]`, q, 'must be unique: the queue is listed twice');
      seen.add(q);
    });
    const listLength = validateInt('listLength', props.listLength ?? 5, 1, 1_000_000);
    const activationListLength = validateInt('activationListLength', props.activationListLength ?? 0, 0, 1_000_000);
    const pollingInterval = validateInt('pollingInterval', props.pollingInterval ?? 30, 1, 3600);
    const cooldownPeriod = validateInt('cooldownPeriod', props.cooldownPeriod ?? 300, 0, 86_400);

    const redis = props.redis;
    const address = validateAddress('redis.address', redis?.address);
    const database = validateInt('redis.database', redis.database, 0, 2_147_483_647);
    const password = validateSecretRef('redis.password', redis.password);
    let username: string | undefined;
    let usernameRef: SecretKeyRef | undefined;
    if (redis.username instanceof SecretKeyRef) {
      usernameRef = redis.username;
    } else if (redis.username !== undefined) {
      if (typeof redis.username !== 'string' || !USERNAME.test(redis.username)) {
        invalid('redis.username', redis.username, 'must be 1-128 printable characters without spaces, or a SecretKeyRef');
      }
      username = redis.username;
    }
    const tls = redis.tls;
    if (tls?.ca !== undefined && !(tls.ca instanceof ConfigMapKeyRef)) validateSecretRef('redis.tls.ca', tls.ca);
    if (tls?.cert !== undefined) validateSecretRef('redis.tls.cert', tls.cert);
    if (tls?.key !== undefined) validateSecretRef('redis.tls.key', tls.key);
    if ((tls?.cert === undefined) !== (tls?.key === undefined))
      invalid(`redis.tls.${tls?.cert === undefined ? 'cert' : 'key'}`, undefined, 'a client certificate and its key are required together for mutual TLS');
    if (tls?.ca && tls.unsafeSkipVerify)
      invalid('redis.tls.unsafeSkipVerify', true, 'must not be set together with redis.tls.ca: a CA is only useful when certificates are verified');

    const labels = metadataLabels({ instance, component });
    const authName = `${target.name}-keda-redis`;
    const secretTargetRef: TriggerAuthenticationSpecSecretTargetRef[] = [
      { parameter: 'password', name: password.secretName, key: password.key },
      ...(usernameRef ? [{ parameter: 'username', name: usernameRef.secretName, key: usernameRef.key }] : []),
      ...(tls?.ca instanceof SecretKeyRef ? [{ parameter: 'ca', name: tls.ca.secretName, key: tls.ca.key }] : []),
      ...(tls?.cert ? [{ parameter: 'cert', name: tls.cert.secretName, key: tls.cert.key }] : []),
      ...(tls?.key ? [{ parameter: 'key', name: tls.key.secretName, key: tls.key.key }] : []),
    ];
    const configMapTargetRef: TriggerAuthenticationSpecConfigMapTargetRef[] =
      tls?.ca instanceof ConfigMapKeyRef ? [{ parameter: 'ca', name: tls.ca.configMapName, key: tls.ca.key }] : [];
    this.triggerAuthentication = new TriggerAuthentication(this, 'TriggerAuthentication', {
      metadata: { name: authName, labels },
      spec: { secretTargetRef, configMapTargetRef: configMapTargetRef.length ? configMapTargetRef : undefined },
    });

    const connection: Record<string, string> = {
      address,
      databaseIndex: String(database),
      ...(tls ? { enableTLS: 'true' } : {}),
      ...(tls?.unsafeSkipVerify ? { unsafeSsl: 'true' } : {}),
      ...(username !== undefined ? { username } : {}),
    };
    this.scaledObject = new ScaledObject(this, 'ScaledObject', {
      metadata: { name: target.name, labels },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        minReplicaCount: minReplicas,
        maxReplicaCount: maxReplicas,
        pollingInterval,
        cooldownPeriod,
        triggers: props.queues.map((queue) => ({
          type: 'redis',
          metricType: 'AverageValue',
          metadata: { ...connection, listName: queue, listLength: String(listLength), activationListLength: String(activationListLength) },
          authenticationRef: { name: authName, kind: ScaledObjectSpecTriggersAuthenticationRefKind.TRIGGER_AUTHENTICATION },
        })),
      },
    });
    this.hpaName = `keda-hpa-${target.name}`;
  }
}
