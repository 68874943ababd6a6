#!/usr/bin/env bash
# Creates or updates a customer-managed IAM policy from a file, so that the
# bootstrap plan can be run again at any time:
#   - the policy does not exist: create it;
#   - it exists with the same document: leave it;
#   - it exists with another document: add a new version and make it the
#     default. IAM keeps at most 5 versions of a policy, so when there are 5
#     the oldest version that is not the default is deleted first.
#
# Usage: put-policy.sh ACCOUNT POLICY_NAME POLICY_FILE
# Run with credentials for ACCOUNT (the script refuses others).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 ACCOUNT POLICY_NAME POLICY_FILE" >&2
  exit 2
fi
account=$1
name=$2
file=$3
[ -r "$file" ] || { echo "put-policy: cannot read $file" >&2; exit 2; }

caller_arn=$(aws sts get-caller-identity --query Arn --output text)
caller_account=$(echo "$caller_arn" | cut -d: -f5)
if [ "$caller_account" != "$account" ]; then
  echo "put-policy: these credentials are for account $caller_account, not $account: nothing changed" >&2
  exit 2
fi
partition=$(echo "$caller_arn" | cut -d: -f2)
arn="arn:${partition}:iam::${account}:policy/${name}"

if ! default_version=$(aws iam get-policy --policy-arn "$arn" --query Policy.DefaultVersionId --output text 2>/dev/null); then
  aws iam create-policy --policy-name "$name" --policy-document "file://$file" >/dev/null
  echo "$arn: created from $file"
  exit 0
fi

# The same document (compared as JSON, whatever the formatting): nothing to do.
current=$(aws iam get-policy-version --policy-arn "$arn" --version-id "$default_version" --query PolicyVersion.Document --output json)
if node -e '
  const fs = require("fs");
  const normal = (text) => { let v = JSON.parse(text); if (typeof v === "string") v = JSON.parse(decodeURIComponent(v)); return JSON.stringify(v); };
  process.exit(normal(process.argv[1]) === normal(fs.readFileSync(process.argv[2], "utf8")) ? 0 : 1);
' "$current" "$file"; then
  echo "$arn: already up to date ($default_version)"
  exit 0
fi

count=$(aws iam list-policy-versions --policy-arn "$arn" --query 'length(Versions)' --output text)
if [ "$count" -ge 5 ]; then
  oldest=$(aws iam list-policy-versions --policy-arn "$arn" \
    --query 'sort_by(Versions[?IsDefaultVersion==`false`], &CreateDate)[0].VersionId' --output text)
  aws iam delete-policy-version --policy-arn "$arn" --version-id "$oldest"
  echo "$arn: deleted the oldest version $oldest (IAM keeps at most 5)"
fi
new_version=$(aws iam create-policy-version --policy-arn "$arn" --policy-document "file://$file" --set-as-default \
  --query PolicyVersion.VersionId --output text)
echo "$arn: updated from $file, now $new_version (was $default_version)"
