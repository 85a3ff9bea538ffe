import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABEL_MANAGED_BY, LABEL_PART_OF } from '../core/labels';
import { validateDnsLabel } from '../core/validation';

/** Props of {@link DifyNamespace}. */
export interface DifyNamespaceProps {
  readonly name: string;
  /** Extra labels. @default {} */
  readonly labels?: Record<string, string>;
}

/** The namespace an installation lives in; synthesized into its own chart so it is applied first. */
export class DifyNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: DifyNamespaceProps) {
    super(scope, id);
    this.name = validateDnsLabel('namespace', props.name);
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: { name: this.name, labels: { [LABEL_PART_OF]: 'dify', [LABEL_MANAGED_BY]: 'cdk8s', ...props.labels } },
    });
  }
}
