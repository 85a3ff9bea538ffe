import { parseBytes, parseCpu } from '../lib';
import { dev } from '../apps/dev';
import { parseDocs, synthFiles } from './util';

const docs = parseDocs(synthFiles(dev));

test('dev fits a 4-CPU / 8-GiB laptop: long-running requests stay under 2 CPU and 5 GiB', () => {
  let cpu = 0;
  let memory = 0;
  for (const d of docs.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
    for (const c of d.spec.template.spec.containers) {
      cpu += parseCpu(c.resources.requests.cpu) * d.spec.replicas;
      memory += parseBytes(c.resources.requests.memory) * d.spec.replicas;
    }
  }
  expect(cpu).toBe(1850);
  expect(memory).toBeLessThanOrEqual(5 * 1024 ** 3);
  expect(memory).toBe(5056 * 1024 ** 2);
});

test('dev serves plain HTTP on dify.localhost through one Ingress', () => {
  const ingresses = docs.filter((d) => d.kind === 'Ingress');
  expect(ingresses).toHaveLength(1);
  expect(ingresses[0].spec.rules[0].host).toBe('dify.localhost');
  expect(ingresses[0].spec.tls).toBeUndefined();
});
