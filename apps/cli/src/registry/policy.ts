/**
 * Just enough of IAM policy evaluation for the registry policies that verify
 * and preflight read: does this registry policy let account X replicate into
 * repository Y, and what does it grant beyond that? Conditions are
 * not evaluated (a statement with conditions counts as written); a matching
 * Deny wins over any Allow.
 */

interface Statement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

export interface ParsedPolicy {
  readonly statements: readonly Statement[];
}

/** Parses a policy document; throws with a readable message when it is not one. */
export function parsePolicy(text: string): ParsedPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`the registry policy is not JSON: ${(e as Error).message}`);
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return { statements: statements.filter((s): s is Statement => typeof s === 'object' && s !== null) };
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`, ignoreCase ? 'i' : '').test(value);
}

function principalMatches(principal: unknown, account: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return list((principal as { AWS?: unknown }).AWS).some((p) =>
    p === '*' || p === account || new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`).test(p));
}

function actionMatches(action: unknown, wanted: string): boolean {
  // Action names are case-insensitive in IAM.
  return list(action).some((a) => wildcardMatch(a, wanted, true));
}

function resourceMatches(resource: unknown, arn: string): boolean {
  return list(resource).some((r) => wildcardMatch(r, arn));
}

/**
 * Whether `policy` allows `account` the action `ecr:ReplicateImage` on the
 * repository `repositoryArn`.
 */
export function allowsReplication(policy: ParsedPolicy, account: string, repositoryArn: string): boolean {
  const matching = policy.statements.filter((s) =>
    principalMatches(s.Principal, account)
    && actionMatches(s.Action, 'ecr:ReplicateImage')
    && resourceMatches(s.Resource, repositoryArn));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

/** An Allow statement of a registry policy, as a report names it. */
export interface PolicyGrant {
  readonly sid?: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  /** The statement's `Resource` entries (none when it has only `NotResource` or nothing). */
  readonly resources?: readonly string[];
}

/** What a registry policy grants beyond "the source account may replicate". */
export interface GrantsBeyondReplication {
  /**
   * Statements that allow `ecr:CreateRepository` (also through wildcards):
   * replication may then create missing repositories here, and only a
   * creation template decides their encryption.
   */
  readonly createRepository: readonly PolicyGrant[];
  /** Statements that allow principals other than the source account. */
  readonly otherPrincipals: readonly PolicyGrant[];
}

function principalsOf(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  return Object.entries(principal as Record<string, unknown>).flatMap(([kind, values]) =>
    list(values).map((v) => (kind === 'AWS' ? v : `${kind}:${v}`)));
}

/** Whether an `AWS` principal is the account itself or one of its IAM identities. */
function isOfAccount(principal: string, account: string): boolean {
  return principal === account || new RegExp(`^arn:aws[a-z-]*:(iam|sts)::${account}:`).test(principal);
}

/** The grants of `policy` beyond `ecr:ReplicateImage` for `sourceAccount`. */
export function grantsBeyondReplication(policy: ParsedPolicy, sourceAccount: string): GrantsBeyondReplication {
  const allows = policy.statements.filter((s) => s.Effect === 'Allow').map(grantOf);
  return {
    createRepository: allows.filter((g) => g.actions.some((a) => wildcardMatch(a, 'ecr:CreateRepository', true))),
    otherPrincipals: allows.filter((g) => g.principals.some((p) => !isOfAccount(p, sourceAccount))),
  };
}

function grantOf(s: Statement): PolicyGrant {
  return { sid: (s as { Sid?: string }).Sid, principals: principalsOf(s.Principal), actions: list(s.Action), resources: list(s.Resource) };
}

/** Every statement of a policy, for a report line: `Allow statement "X" (principals: actions)`. */
export function describeStatements(policy: ParsedPolicy): string[] {
  return policy.statements.map((s) => `${s.Effect ?? 'Allow'} ${describeGrant(grantOf(s))}`);
}

/** `Sid "X" (principals: actions)`, for a report line. */
export function describeGrant(grant: PolicyGrant): string {
  return `${grant.sid ? `statement "${grant.sid}"` : 'a statement'} (${grant.principals.join(', ') || 'no principal'}: ${grant.actions.join(', ')})`;
}
