import { k8s } from './k8s';
import { parseBytes, parseCpu, validateCpu, validateMemory } from './k8s-rules';
import { invalid } from './validation';

/** Requests and limits of one container. */
export interface ComponentResources {
  /** CPU request, e.g. `100m`. */
  readonly cpuRequest: string;
  /** CPU limit, e.g. `1`. */
  readonly cpuLimit: string;
  /** Memory request, e.g. `256Mi`. */
  readonly memoryRequest: string;
  /** Memory limit, e.g. `1Gi`. */
  readonly memoryLimit: string;
}

/** Validates `r` (each quantity, and request <= limit) and renders it. */
export function renderResources(prop: string, r: ComponentResources): k8s.ResourceRequirements {
  validateCpu(`${prop}.cpuRequest`, r.cpuRequest);
  validateCpu(`${prop}.cpuLimit`, r.cpuLimit);
  validateMemory(`${prop}.memoryRequest`, r.memoryRequest);
  validateMemory(`${prop}.memoryLimit`, r.memoryLimit);
  if (parseCpu(r.cpuRequest) > parseCpu(r.cpuLimit)) {
    invalid(`${prop}.cpuRequest`, r.cpuRequest, `must not exceed ${prop}.cpuLimit (${r.cpuLimit})`);
  }
  if (parseBytes(r.memoryRequest) > parseBytes(r.memoryLimit)) {
    invalid(`${prop}.memoryRequest`, r.memoryRequest, `must not exceed ${prop}.memoryLimit (${r.memoryLimit})`);
  }
  return {
    requests: { cpu: k8s.Quantity.fromString(r.cpuRequest), memory: k8s.Quantity.fromString(r.memoryRequest) },
    limits: { cpu: k8s.Quantity.fromString(r.cpuLimit), memory: k8s.Quantity.fromString(r.memoryLimit) },
  };
}

/** Merges user overrides onto a component's defaults. */
export function withResources(defaults: ComponentResources, overrides?: Partial<ComponentResources>): ComponentResources {
  return { ...defaults, ...overrides };
}
