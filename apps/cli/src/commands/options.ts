import * as fs from 'fs';
import { InvalidArgumentError, Option } from 'commander';
import { CliContext } from '../context';
import { parseQueueUrl, QueueLocation } from '../registry/data';

/** `--topology FILE`, the same on every command. */
export function topologyOption(ctx: CliContext): Option {
  return new Option('-t, --topology <file>', 'the topology file')
    .default(defaultTopologyPath(ctx.env), `$ECR_REPLICATION_TOPOLOGY, else ${DEFAULT_TOPOLOGY_FILES.join(', else ')}`);
}

/** A parser for options that take a whole number of at least `min`. */
/** `--destination <id>`, repeatable: `what` says what the command does only for the destinations named. */
export function destinationOption(what: string): Option {
  return new Option('--destination <id>', `${what} (<account>-<region>); repeat for more`)
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}.`);
    return n;
  };
}

/** The parser of a repeatable queue URL option: each value must be an SQS queue URL. */
export function queueUrls(value: string, previous: QueueLocation[] | undefined): QueueLocation[] {
  const queue = parseQueueUrl(value);
  if (!queue) throw new InvalidArgumentError(`'${value}' is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>).`);
  return [...(previous ?? []), queue];
}

/**
 * Where the topology is looked for when neither `--topology` nor
 * `$ECR_REPLICATION_TOPOLOGY` names it: a file of the current directory, then
 * the file `npm run synth` uses when run from the repository root.
 */
export const DEFAULT_TOPOLOGY_FILES = ['topology.yaml', 'apps/pipeline/topology.yaml'] as const;

/** The default of every `--topology` option: the first of the defaults that exists (else the first). */
export function defaultTopologyPath(env: NodeJS.ProcessEnv, exists: (file: string) => boolean = fs.existsSync): string {
  if (env.ECR_REPLICATION_TOPOLOGY) return env.ECR_REPLICATION_TOPOLOGY;
  return DEFAULT_TOPOLOGY_FILES.find((file) => exists(file)) ?? DEFAULT_TOPOLOGY_FILES[0];
}
