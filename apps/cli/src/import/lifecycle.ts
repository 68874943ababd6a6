/**
 * A repository's lifecycle policy, read back into the topology's `lifecycle`.
 * The topology can say two things, which the repository construct writes as
 * two ECR rules: expire untagged images N days after their push, and keep at
 * most M images of any tag status. A policy made of exactly those rules is
 * imported; anything else (tagged selections, other counts, other actions,
 * extra fields) is reported as not expressible, never approximated.
 */
import { LifecycleModel } from '@ecr-kms-replication/stacks';

/** The topology's lifecycle for a policy, or why there is none. */
export type LifecycleImport =
  | { readonly lifecycle?: LifecycleModel }
  | { readonly problem: string };

/** The `lifecycle` a policy text (JSON from `GetLifecyclePolicy`) means; `{}` for no policy. */
export function lifecycleFromPolicy(text: string | undefined): LifecycleImport {
  if (text === undefined) return {};
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return { problem: 'is not valid JSON' };
  }
  const rules = isRecord(policy) ? policy.rules : undefined;
  if (!Array.isArray(rules)) return { problem: 'has no list of rules' };
  if (rules.length === 0) return {};

  let untaggedExpiryDays: number | undefined;
  let maxImageCount: number | undefined;
  const unexpressible: string[] = [];
  for (const rule of rules) {
    const kind = ruleKind(rule);
    if (kind?.kind === 'untagged' && untaggedExpiryDays === undefined) {
      untaggedExpiryDays = kind.count;
    } else if (kind?.kind === 'count' && maxImageCount === undefined) {
      maxImageCount = kind.count;
    } else {
      unexpressible.push(describeRule(rule));
    }
  }
  if (unexpressible.length > 0) {
    return { problem: `has rules the topology's lifecycle (maxImageCount, untaggedExpiryDays) cannot express: ${unexpressible.join('; ')}` };
  }
  return {
    lifecycle: {
      ...(maxImageCount !== undefined ? { maxImageCount } : {}),
      ...(untaggedExpiryDays !== undefined ? { untaggedExpiryDays } : {}),
    },
  };
}

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `keys` are exactly `expected`, in any order. */
function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  return keys.length === expected.length && expected.every((key) => keys.includes(key));
}

function hasExactly(value: Data, keys: readonly string[]): boolean {
  return sameKeys(Object.keys(value), keys);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** One of the two rules the repository construct writes (the description is free text and ignored). */
function ruleKind(rule: unknown): { kind: 'untagged' | 'count'; count: number } | undefined {
  if (!isRecord(rule) || !isRecord(rule.selection) || !isRecord(rule.action)) return undefined;
  if (!sameKeys(Object.keys(rule).filter((key) => key !== 'description'), ['rulePriority', 'selection', 'action'])) return undefined;
  if (!hasExactly(rule.action, ['type']) || rule.action.type !== 'expire') return undefined;
  const s = rule.selection;
  if (s.tagStatus === 'untagged' && s.countType === 'sinceImagePushed' && s.countUnit === 'days' && isCount(s.countNumber)
    && hasExactly(s, ['tagStatus', 'countType', 'countUnit', 'countNumber'])) {
    return { kind: 'untagged', count: s.countNumber };
  }
  if (s.tagStatus === 'any' && s.countType === 'imageCountMoreThan' && isCount(s.countNumber)
    && hasExactly(s, ['tagStatus', 'countType', 'countNumber'])) {
    return { kind: 'count', count: s.countNumber };
  }
  return undefined;
}

/** `rule 2 (tagStatus=tagged, tagPrefixList=[prod], countType=sinceImagePushed, ..., action=expire)`. */
function describeRule(rule: unknown): string {
  if (!isRecord(rule)) return `a rule that is not a mapping (${JSON.stringify(rule)})`;
  const fields = Object.entries(isRecord(rule.selection) ? rule.selection : {}).map(([key, value]) => `${key}=${format(value)}`);
  if (isRecord(rule.action)) {
    fields.push(...Object.entries(rule.action).map(([key, value]) => `action.${key}=${format(value)}`));
  }
  for (const [key, value] of Object.entries(rule)) {
    if (!['rulePriority', 'description', 'selection', 'action'].includes(key)) fields.push(`${key}=${format(value)}`);
  }
  return `rule ${format(rule.rulePriority)} (${fields.join(', ')})`;
}

function format(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(format).join(', ')}]` : typeof value === 'string' ? value : JSON.stringify(value);
}
