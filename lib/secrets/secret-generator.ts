import { createHash } from 'crypto';
import { guardApp } from '../core/collisions';
import { k8s } from '../core/k8s';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { keepAnnotations } from '../core/lifecycle';
import { ServiceEndpoint, chartNamespaceOf } from '../config/connections';
import { validateImage } from '../core/image';
import { metadataLabels } from '../core/labels';
import { renderResources } from '../core/resources';
import { containerSecurityContext, nonRootProfile, podSecurityContext } from '../core/security';
import { invalid, validateDnsSubdomain } from '../core/validation';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { selectorLabels } from '../core/labels';
import {
  CREDENTIALS,
  CREDENTIAL_KEYS,
  CREDENTIAL_NAMES,
  CredentialName,
  CredentialSpec,
  DifyCredentials,
  credentialsInSecret,
  derivedRedisUrls,
} from './credentials';
import { GENERATOR_SCRIPT } from './generator-script';
import { guardProps } from '../core/guard';

/** Props of {@link DifySecretGenerator}. */
export interface DifySecretGeneratorProps {
  readonly instance: string;
  /** Image with Python 3 (the dify-api image, already pulled for api). */
  readonly image: string;
  /** The embedded Redis Service, for the broker URL. @default - no broker URL (external Redis) */
  readonly redis?: ServiceEndpoint;
  /** Credentials to generate. @default - every row of {@link CREDENTIALS} */
  readonly keys?: ReadonlyArray<CredentialName>;
  /** Name of the Secret to create. @default "<instance>-credentials" */
  readonly secretName?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Where the Job reaches the Kubernetes API (endpoint addresses after Service translation, and ports). @default - any address on TCP 443 and 6443 */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  /**
   * A Secret in another namespace (the sandbox's) that the Job keeps in sync
   * with `keys` of the credentials Secret: `scope` is in a chart of that
   * namespace, where a Role lets the Job's ServiceAccount create and update
   * only that Secret. @default - none
   */
  readonly mirror?: { readonly scope: Construct; readonly secretName: string; readonly keys: readonly CredentialName[] };
}

/**
 * Creates the installation's credentials Secret inside the cluster, once,
 * when it is missing, with random values (a Job with a namespace-scoped Role).
 * The Secret has no owner, so deleting the Job or the workloads keeps it, and
 * carries the annotations that keep GitOps from deleting or pruning it.
 * No credential is ever in the manifests, `kubectl apply -f dist/dev/`
 * converges without anyone typing a password, and re-running the Job never
 * rotates a value. Pods that read the Secret wait in ContainerCreating until
 * it exists.
 */
export class DifySecretGenerator extends Construct implements IConnectable {
  /** Entropy in bytes of each random key and its URL-safe encoding (hex or base64url), from {@link CREDENTIALS}. */
  public static readonly RANDOM_BYTES: Readonly<Record<string, readonly [number, 'hex' | 'urlsafe']>> = Object.fromEntries(
    CREDENTIAL_NAMES.map((n) => CREDENTIALS[n] as CredentialSpec)
      .filter((c) => c.bytes !== undefined)
      .map((c) => [c.key, [c.bytes!, c.format ?? 'hex']]),
  );

  public readonly secretName: string;
  public readonly credentials: DifyCredentials;
  public readonly job: k8s.KubeJob;
  /** The Job's only flow: the Kubernetes API. */
  public readonly connections: Connections;

  constructor(scope: Construct, id: string, props: DifySecretGeneratorProps) {
    super(scope, id);
    guardProps('DifySecretGeneratorProps', props);
    guardApp(this);
    validateImage('secretGenerator.image', props.image);
    this.secretName = validateDnsSubdomain('secretGenerator.secretName', props.secretName ?? `${props.instance}-credentials`);
    this.credentials = credentialsInSecret(this.secretName);
    const labels = metadataLabels({ instance: props.instance, component: 'secret-generator' });
    // The Secret outlives the workloads: no ownerReferences (deleting this Job keeps it), kept by GitOps delete and
    // prune, and labelled like every object of its chart (the environment label for label-scoped prunes).
    const secretMetadata = { labels: { ...Chart.of(this).labels, ...labels }, annotations: keepAnnotations() };
    const name = `${props.instance}-secret-generator`;
    const keys = new Set<string>((props.keys ?? CREDENTIAL_NAMES).map((k) => CREDENTIAL_KEYS[k]));
    const random = Object.fromEntries(Object.entries(DifySecretGenerator.RANDOM_BYTES).filter(([k]) => keys.has(k)));
    const redisUrls = props.redis !== undefined ? derivedRedisUrls(keys) : {};
    const broker = Object.keys(redisUrls).length > 0;
    const mirror = props.mirror && {
      namespace: chartNamespaceOf(props.mirror.scope),
      secretName: validateDnsSubdomain('secretGenerator.mirror.secretName', props.mirror.secretName),
      keys: props.mirror.keys.map((k) => CREDENTIAL_KEYS[k]),
    };
    const home = chartNamespaceOf(this);
    if (mirror && (!mirror.namespace || !home || mirror.namespace === home))
      invalid('sandboxNamespace', mirror.namespace, "must differ from the installation's namespace, and both charts must set a namespace");
    const hash = createHash('sha256')
      .update(GENERATOR_SCRIPT + props.image + this.secretName + JSON.stringify([props.redis ?? null, random, secretMetadata, mirror ?? null]))
      .digest('hex')
      .slice(0, 10);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, labels }, automountServiceAccountToken: false });
    secretAccess(this, name, labels, this.secretName);
    // In the mirror's namespace: only that Secret, bound to this Job's ServiceAccount of the installation's namespace.
    if (mirror) secretAccess(new Construct(props.mirror!.scope, 'SecretGeneratorAccess'), name, labels, mirror.secretName, home);
    new k8s.KubeConfigMap(this, 'Script', { metadata: { name: `${name}-script`, labels }, data: { 'generate.py': GENERATOR_SCRIPT } });
    const profile = nonRootProfile(1001, { readOnlyRootFilesystem: true });
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name: `${name}-${hash}`, labels },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            serviceAccountName: name,
            // The only pod that talks to the Kubernetes API.
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            securityContext: podSecurityContext(profile),
            imagePullSecrets: props.imagePullSecrets?.length
              ? props.imagePullSecrets.map((name) => ({ name: validateDnsSubdomain('imagePullSecrets', name) }))
              : undefined,
            containers: [
              {
                name: 'generate',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['python3', '/scripts/generate.py'],
                env: [
                  { name: 'SECRET_NAME', value: this.secretName },
                  { name: 'RANDOM_KEYS', value: JSON.stringify(random) },
                  { name: 'SECRET_LABELS', value: JSON.stringify(secretMetadata.labels) },
                  { name: 'SECRET_ANNOTATIONS', value: JSON.stringify(secretMetadata.annotations) },
                  ...(mirror
                    ? [
                        { name: 'MIRROR_NAMESPACE', value: mirror.namespace! },
                        { name: 'MIRROR_SECRET_NAME', value: mirror.secretName },
                        { name: 'MIRROR_KEYS', value: JSON.stringify(mirror.keys) },
                      ]
                    : []),
                  ...(broker
                    ? [
                        { name: 'REDIS_URL_KEYS', value: JSON.stringify(redisUrls) },
                        { name: 'REDIS_PASSWORD_KEY', value: CREDENTIAL_KEYS.redisPassword },
                        { name: 'REDIS_HOST', value: props.redis!.host },
                        { name: 'REDIS_PORT', value: String(props.redis!.port) },
                      ]
                    : []),
                ],
                resources: renderResources('secretGenerator.resources', { cpuRequest: '50m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' }),
                securityContext: containerSecurityContext(profile),
                volumeMounts: [{ name: 'script', mountPath: '/scripts', readOnly: true }],
              },
            ],
            volumes: [{ name: 'script', configMap: { name: `${name}-script` } }],
          },
        },
      },
    });
    this.connections = Connections.forPods(
      this,
      { instance: props.instance, component: 'secret-generator', selector: selectorLabels({ instance: props.instance, component: 'secret-generator' }) },
      [],
    );
    const apiServer = props.apiServer ?? { cidrs: ['0.0.0.0/0'], ports: [443, 6443] };
    this.connections.allowTo(NetworkPeer.cidrs(apiServer.cidrs, 'Kubernetes API'), [...apiServer.ports]);
  }
}

/** A Role that may read, patch and create only `secretName` (in the scope's namespace), bound to the Job's ServiceAccount. */
function secretAccess(scope: Construct, name: string, labels: Record<string, string>, secretName: string, serviceAccountNamespace?: string): void {
  new k8s.KubeRole(scope, 'Role', {
    metadata: { name, labels },
    rules: [
      { apiGroups: [''], resources: ['secrets'], resourceNames: [secretName], verbs: ['get', 'patch'] },
      // create cannot be narrowed by resourceNames (the name is not known at authorization time).
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ],
  });
  new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: serviceAccountNamespace }],
  });
}
