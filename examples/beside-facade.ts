import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Dify, DifyWorkload, EnvSet, httpProbe, httpUrl, nonRootProfile } from '../lib';

/** The facade plus a component of your own beside it: a portal that calls Dify's API inside the cluster. */
// #region README
export class DifyWithPortal extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'dify' });
    const dify = new Dify(this, 'Dify', { host: 'dify.example.com' });

    // Same instance and namespace: the installation's default-deny applies to it, and its own policy is rendered at synth.
    const portal = new DifyWorkload(this, 'Portal', {
      instance: dify.instance,
      component: 'portal',
      image: 'registry.example.com/team/chat-portal:1.4.2',
      kind: 'Deployment',
      env: new EnvSet().plain({ DIFY_API_URL: httpUrl(dify.api) }),
      ports: [{ name: 'http', port: 8080 }],
      probes: { readiness: httpProbe('/healthz', 'http'), liveness: httpProbe('/healthz', 'http') },
      resources: { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '64Mi', memoryLimit: '256Mi' },
      security: nonRootProfile(1000, { readOnlyRootFilesystem: true }),
    });
    // Wired after new Dify(...): the facade's NetworkPolicy renders at synth, so this flow is in it.
    portal.connections.allowTo(dify.api);
  }
}
// #endregion README
