/**
 * Just enough of IAM policy evaluation to answer one question: does this
 * registry policy let account X replicate into repository Y? Conditions are
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
