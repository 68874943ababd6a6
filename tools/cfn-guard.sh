#!/usr/bin/env bash
# AWS Control Tower's proactive controls (cfn-guard rules, shipped with the
# cfn-guard binary in @cdklabs/cdk-validator-cfnguard) over every template that
# the example topology and a cross-account test topology synthesize: the
# pipeline stack, its cross-Region support stacks and every stage's stacks.
# Only the rules that report on resource types the app deploys run. Fails on
# any failure not accepted in tools/cfn-guard-accepted.json.
set -euo pipefail
cd "$(dirname "$0")/.."

cfn_guard=node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu/x86_64/cfn-guard
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ] || [ ! -x "$cfn_guard" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "cfn-guard: $cfn_guard is missing or does not run here, and CI requires it" >&2
    exit 1
  fi
  echo "cfn-guard: the packaged binary runs on Linux x86_64 only, SKIPPING the Control Tower checks"
  exit 0
fi

topologies=(apps/pipeline/topology.yaml apps/pipeline/test/fixtures/topology-cross-account.yaml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/templates"
for topology in "${topologies[@]}"; do
  name=$(basename "$topology" .yaml)
  out="$work/$name"
  (cd apps/pipeline && ECR_REPLICATION_TOPOLOGY="$OLDPWD/$topology" npx cdk synth --quiet --no-notices -o "$out" >/dev/null 2>"$work/synth.log") || {
    cat "$work/synth.log" >&2
    exit 1
  }
  # One flat folder: <topology>__<stack>.template.json (stage templates sit in assembly folders).
  while IFS= read -r template; do
    cp "$template" "$work/templates/${name}__$(basename "$template")"
  done < <(find "$out" -name '*.template.json' | sort)
done
echo "cfn-guard: ${topologies[*]} ($("$cfn_guard" --version))"
node tools/cfn-guard-check.js "$work/templates"
