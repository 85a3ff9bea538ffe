import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerAppCheck } from '../core/collisions';
import { renderDuringSynthesis } from '../core/synthesis';
import { checkRuntimeContracts } from './check';

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
        .filter((c): c is ApiObject => c instanceof ApiObject)
        .map((o) => renderDuringSynthesis(o)),
    ),
  );
}
