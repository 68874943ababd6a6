import { Command, Option } from 'commander';
import { accessFrom, addLiveOptions, LiveFlags } from './live';
import { loadOrReport } from './load';
import { destinationOption, integerAtLeast } from './options';
import { CliContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../context';
import { LOOKUP_ROLE_NAME } from '../registry/access';
import { destinationsOfRepository } from '../registry/routed';
import {
  DEFAULT_WAIT_POLL_SECONDS,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  DestinationWait,
  describe,
  parseImageReference,
  WaitReport,
  waitForImage,
} from '../wait/wait';

interface WaitFlags extends LiveFlags {
  readonly image: string;
  readonly destination?: string[];
  readonly timeout: number;
  readonly pollSeconds: number;
}

export function waitCommand(ctx: CliContext, setExitCode: (code: number) => void): Command {
  const command = new Command('wait')
    .description('Wait until an image pushed to the source is in every destination the topology routes it to.');
  addLiveOptions(command, ctx, { roleName: LOOKUP_ROLE_NAME, roleDescription: 'default: the CDK bootstrap look-up role, read-only' })
    .requiredOption('--image <ref>', 'the image: NAME:TAG (resolved to its digest once) or NAME@sha256:DIGEST')
    .addOption(destinationOption('wait only for this destination'))
    .addOption(new Option('--timeout <seconds>', 'give up after this many seconds').argParser(integerAtLeast(1)).default(DEFAULT_WAIT_TIMEOUT_SECONDS))
    .addOption(new Option('--poll-seconds <n>', 'seconds between two checks').argParser(integerAtLeast(1)).default(DEFAULT_WAIT_POLL_SECONDS))
    .addHelpText('after', [
      '',
      'Where the image stands comes from ECR\'s replication status in the source (DescribeImages and',
      'DescribeImageReplicationStatus on the repository: source credentials only). Where that API does not',
      'answer, each destination is asked for the image by digest (DescribeImages) through --role-name there.',
      '',
      'Exit status: 0 the image is in every destination, 1 a replication failed (the destination and ECR\'s',
      'failure code are named), the timeout passed, or something could not be read, 2 usage or topology error',
      '(bad image reference, unknown destination, image not routed anywhere).',
    ].join('\n'))
    .action(async (flags: WaitFlags) => {
      const model = loadOrReport(ctx, flags.topology);
      if (!model) return setExitCode(EXIT_USAGE);
      const image = parseImageReference(flags.image);
      if (!image) {
        ctx.stderr.write(`error: --image ${flags.image}: expected NAME:TAG or NAME@sha256:<64 hex digits>\n`);
        return setExitCode(EXIT_USAGE);
      }
      const routed = destinationsOfRepository(model, image.repository);
      if (routed.length === 0) {
        ctx.stderr.write(`error: --image ${flags.image}: the topology replicates ${image.repository} nowhere (neither listed nor under a namespace)\n`);
        return setExitCode(EXIT_USAGE);
      }
      const asked = flags.destination ?? [];
      const unknown = asked.filter((id) => !model.destinations.some((d) => d.id === id));
      const notRouted = asked.filter((id) => !unknown.includes(id) && !routed.includes(id));
      if (unknown.length > 0 || notRouted.length > 0) {
        if (unknown.length > 0) {
          ctx.stderr.write(`error: --destination ${unknown.join(', ')}: not a destination of the topology (destinations: ${model.destinations.map((d) => d.id).join(', ')})\n`);
        }
        if (notRouted.length > 0) {
          ctx.stderr.write(`error: --destination ${notRouted.join(', ')}: ${image.repository} is not replicated there (it goes to ${routed.join(', ')})\n`);
        }
        return setExitCode(EXIT_USAGE);
      }

      const access = accessFrom(flags, ctx, model.source.region);
      const terminal = !flags.json && ctx.stderr.isTTY === true;
      const interrupt = new AbortController();
      const removeHandler = (ctx.onInterrupt ?? onSigint)(() => interrupt.abort());
      let report: WaitReport;
      try {
        report = await waitForImage(model, {
          ...access,
          image,
          destinations: asked.length > 0 ? asked : routed,
          timeoutSeconds: flags.timeout,
          pollSeconds: flags.pollSeconds,
          repositoriesFor: ctx.repositoriesFor,
          now: ctx.now,
          sleep: ctx.sleep,
          signal: interrupt.signal,
          onUpdate: terminal ? (states, seconds) => ctx.stderr.write(`\r\x1b[K${progressLine(states, seconds)}`) : undefined,
        });
      } finally {
        removeHandler();
        if (terminal) ctx.stderr.write('\r\x1b[K');
      }
      if (flags.json) ctx.stdout.write(JSON.stringify(report, undefined, 2) + '\n');
      else ctx.stdout.write(renderWait(report));
      return setExitCode(report.ok ? EXIT_OK : EXIT_FAILED);
    });
  return command;
}

function progressLine(states: readonly DestinationWait[], seconds: number): string {
  const done = states.filter((s) => s.state === 'complete').length;
  const pending = states.filter((s) => s.state === 'pending').map((s) => s.id);
  return `waiting ${seconds}s: ${done}/${states.length} destinations have the image${pending.length > 0 ? `; pending: ${pending.join(', ')}` : ''}`;
}

export function renderWait(report: WaitReport): string {
  const name = describe(report.image) + (report.image.tag !== undefined && report.image.resolvedDigest ? ` (${report.image.resolvedDigest})` : '');
  if (report.error !== undefined) return `error: ${report.error}\n`;
  const lines = report.destinations.map((d) => `${d.id}: ${d.state}${d.via ? ` (${d.via})` : ''}: ${d.detail}`);
  const headline: Record<WaitReport['outcome'], string> = {
    complete: `OK: ${name} is in every destination (${report.elapsedSeconds}s)`,
    failed: `FAILED: ${name} failed to replicate to ${report.destinations.filter((d) => d.state === 'failed').map((d) => `${d.id}${d.failureCode ? ` (${d.failureCode})` : ''}`).join(', ')}`,
    timeout: `TIMEOUT after ${report.elapsedSeconds}s: ${name} is not yet in ${report.destinations.filter((d) => d.state === 'pending').map((d) => d.id).join(', ')}`,
    error: `ERROR: cannot tell where ${name} is in ${report.destinations.filter((d) => d.state === 'error').map((d) => d.id).join(', ')}`,
    interrupted: `INTERRUPTED after ${report.elapsedSeconds}s: ${name} is not yet in ${report.destinations.filter((d) => d.state === 'pending').map((d) => d.id).join(', ')}`,
  };
  return [...lines, headline[report.outcome]].join('\n') + '\n';
}

function onSigint(handler: () => void): () => void {
  process.once('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}
