import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oncePerSynthesis, renderDuringSynthesis } from '../core/synthesis';
import { checkRuntimeContracts } from './check';

const CHECKED = new WeakMap<IConstruct, object>();

/**
 * Holds everything rendered under `scope` to the runtime contracts at synth
 * ({@link checkRuntimeContracts}): a configuration that breaks one fails
 * synthesis with a message naming the component and the contract line.
 * Installed by {@link Dify}; call it on a chart you compose by hand.
 */
export function guardRuntimeContracts(scope: IConstruct): void {
  if (CHECKED.has(scope)) return;
  const key = {};
  CHECKED.set(scope, key);
  scope.node.addValidation({
    validate: () =>
      oncePerSynthesis(scope, key, () =>
        checkRuntimeContracts(
          scope.node
            .findAll()
            .filter((c): c is ApiObject => c instanceof ApiObject)
            .map((o) => renderDuringSynthesis(o)),
        ),
      ),
  });
}
