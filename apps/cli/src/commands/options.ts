import { InvalidArgumentError, Option } from 'commander';
import { CliContext } from '../context';

/** `--topology FILE`, the same on every command. */
export function topologyOption(ctx: CliContext): Option {
  return new Option('-t, --topology <file>', 'the topology file')
    .default(defaultTopologyPath(ctx.env), '$ECR_REPLICATION_TOPOLOGY, else topology.yaml');
}

/** A parser for options that take a whole number of at least `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}.`);
    return n;
  };
}

/** The default of every `--topology` option. */
export function defaultTopologyPath(env: NodeJS.ProcessEnv): string {
  return env.ECR_REPLICATION_TOPOLOGY || 'topology.yaml';
}
