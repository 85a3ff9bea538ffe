import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerAppCheck } from '../core/collisions';
import { renderDuringSynthesis } from '../core/synthesis';
import { checkRuntimeContracts } from './check';

/** What the check reads: pods, their environment and their ServiceAccounts (other objects validate themselves). */
const RUNTIME_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet', 'ConfigMap', 'ServiceAccount']);

/**
 * Holds everything the App renders to the runtime contracts at synth
 * ({@link checkRuntimeContracts}), as one of the App's synth-time checks: a
 * configuration that breaks one fails synthesis with a message naming the
 * workload, its component and the contract line. Installed by {@link Dify};
 * call it on a chart you compose by hand.
 */
export function guardRuntimeContracts(scope: IConstruct): void {
  registerAppCheck(scope, 'runtime-contracts', (root) =>
    checkRuntimeContracts(
      root.node
        .findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && RUNTIME_KINDS.has(c.kind))
        .map((o) => renderDuringSynthesis(o)),
    ),
  );
}
