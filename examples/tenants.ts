import { App } from 'cdk8s';
import { DifyStorage, DifyTenants } from '../lib';

/** README "Many tenants": two tenants in one App (apps/tenants.ts synthesizes four into dist/tenants/). */
export function manyTenants(app: App): void {
  // #region README
  new DifyTenants(app, 'tenants', {
    ingressClassName: 'nginx',
    defaults: { storage: DifyStorage.persistentVolume({ size: '10Gi' }), settings: { logFormat: 'json' } },
    tenants: [
      { name: 'acme', host: 'acme.dify.example.com' },
      {
        name: 'initech',
        host: 'initech.dify.example.com',
        dify: {
          // Three workers share the file storage: ReadWriteMany, not the default ReadWriteOnce claim.
          storage: DifyStorage.persistentVolume({ size: '10Gi', accessMode: 'ReadWriteMany', storageClassName: 'standard-rwx' }),
          components: { worker: { replicas: 3 } },
        },
        quota: { headroomPercent: 50 },
      },
    ],
  });
  // #endregion README
}
