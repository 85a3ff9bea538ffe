import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';
import { Environment } from './environments';

/** Every environment this repository deploys, in synth order. */
export const ENVIRONMENTS: readonly Environment[] = [dev, staging, prod];
