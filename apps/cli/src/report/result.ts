/**
 * The report of every command that reads live registries (verify,
 * preflight, backfill), exactly as `--json` prints it. This shape is part of
 * the CLI's interface: add fields, never rename or remove them.
 */

/**
 * `pass` holds; `warn` worth a look, not a failure; `fail` does not hold (exit 1);
 * `error` could not be checked (exit 1).
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'error';

/** The names of the checks, stable for machines. */
export type CheckName =
  /** The environment could be reached (credentials, role, Region). */
  | 'access'
  /** Source: the replication rules send the repository to every destination. */
  | 'replication'
  /** The repository exists in the registry. */
  | 'repository'
  /** Destination: the repository is encrypted with the registry's KMS key. */
  | 'encryption'
  /** Destination: the tag mutability is the configured one. */
  | 'tag-mutability'
  /** Cross-account destination: the registry policy lets the source replicate, and no more. */
  | 'registry-policy'
  /** The repository creation templates (ROOT safety net, one per namespace) are the deployed ones. */
  | 'creation-template'
  /** Source, with `--images N`: the recent images reached every destination. */
  | 'image-replication'
  /** Destination, with `--images N`: the N most recent source images are here (those pushed before replication are not, without a backfill). */
  | 'image-presence'
  // preflight: what already exists and would stand in the way of a deployment
  /** Preflight: no stack of this deployment is stuck (e.g. ROLLBACK_COMPLETE). */
  | 'stack'
  /** Preflight, source: the registry's replication configuration is absent or this deployment's own. */
  | 'replication-configuration'
  /** Preflight: the key alias is absent or this deployment's own. */
  | 'key-alias'
  /** Verify: a stack of this topology's stages that the current topology no longer produces (CDK Pipelines does not delete it). */
  | 'stale-stack'
  /** Verify, with `--dead-letter-queue`: no alert waits undelivered in the queue. */
  | 'dead-letter-queue'
  /** The repositories under a namespace are encrypted with the registry's key and have its settings (one row per namespace). */
  | 'namespace'
  /** Source: no repository replicates that the topology neither lists nor covers by a namespace. */
  | 'unmanaged';

export interface CheckResult {
  readonly check: CheckName;
  /** Absent for checks of the whole registry. */
  readonly repository?: string;
  readonly status: CheckStatus;
  /** One line for a human: what holds, or what is wrong and where (and what would happen). */
  readonly detail: string;
  /** What to do about a warning or failure, when there is something to do. */
  readonly fix?: string;
}

export interface EnvironmentReport {
  /** `<account>-<region>`. */
  readonly id: string;
  /** `alerts`: the pipeline's environment, read only for its dead-letter queue. */
  readonly kind: 'source' | 'destination' | 'alerts';
  readonly account: string;
  readonly region: string;
  /** The ARN of the role assumed to read this registry; `null` for the current credentials. */
  readonly role: string | null;
  readonly checks: readonly CheckResult[];
}

export interface ReportSummary {
  readonly environments: number;
  readonly checks: number;
  readonly passed: number;
  readonly warnings: number;
  readonly failed: number;
  readonly errors: number;
}

export interface VerifyReport {
  /** No check failed or could not run (warnings allowed). */
  readonly ok: boolean;
  /** The command could not read anything (e.g. no usable credentials): said once, here. */
  readonly error?: string;
  /** The source first, then the destinations in topology order. */
  readonly environments: readonly EnvironmentReport[];
  readonly summary: ReportSummary;
}

/** Any command's report has this shape; `VerifyReport` is its historical name. */
export type RegistryReport = VerifyReport;

export function buildReport(environments: readonly EnvironmentReport[]): VerifyReport {
  let passed = 0;
  let warnings = 0;
  let failed = 0;
  let errors = 0;
  for (const env of environments) {
    for (const check of env.checks) {
      if (check.status === 'pass') passed++;
      else if (check.status === 'warn') warnings++;
      else if (check.status === 'fail') failed++;
      else errors++;
    }
  }
  return {
    ok: failed === 0 && errors === 0,
    environments,
    summary: { environments: environments.length, checks: passed + warnings + failed + errors, passed, warnings, failed, errors },
  };
}

/** The report of a command that could not read any registry. */
export function failedReport(error: string): VerifyReport {
  return { ok: false, error, environments: [], summary: { environments: 0, checks: 0, passed: 0, warnings: 0, failed: 0, errors: 0 } };
}
