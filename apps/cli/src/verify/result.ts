/**
 * The result of `verify`, exactly as `--json` prints it. This shape is part
 * of the CLI's interface: add fields, never rename or remove them.
 */

export type CheckStatus = 'pass' | 'fail' | 'error';

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
  /** Cross-account destination: the registry policy lets the source replicate. */
  | 'registry-policy'
  /** Source, with `--images N`: the recent images reached every destination. */
  | 'image-replication';

export interface CheckResult {
  readonly check: CheckName;
  /** Absent for checks of the whole registry. */
  readonly repository?: string;
  readonly status: CheckStatus;
  /** One line for a human: what holds, or what is wrong and where. */
  readonly detail: string;
}

export interface EnvironmentReport {
  /** `<account>-<region>`. */
  readonly id: string;
  readonly kind: 'source' | 'destination';
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
  readonly failed: number;
  readonly errors: number;
}

export interface VerifyReport {
  /** Every check passed. */
  readonly ok: boolean;
  /** The source first, then the destinations in topology order. */
  readonly environments: readonly EnvironmentReport[];
  readonly summary: ReportSummary;
}

export function buildReport(environments: readonly EnvironmentReport[]): VerifyReport {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const env of environments) {
    for (const check of env.checks) {
      if (check.status === 'pass') passed++;
      else if (check.status === 'fail') failed++;
      else errors++;
    }
  }
  return {
    ok: failed === 0 && errors === 0,
    environments,
    summary: { environments: environments.length, checks: passed + failed + errors, passed, failed, errors },
  };
}
