import { dev } from './dev';
import { Environment } from './environments';

/** Every environment this repository deploys, in synth order. */
export const ENVIRONMENTS: readonly Environment[] = [dev];
