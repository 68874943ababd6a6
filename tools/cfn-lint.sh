#!/usr/bin/env bash
# cfn-lint (AWS's CloudFormation linter) over every template that the example
# topology and a large test topology synthesize: the pipeline stack, its
# cross-Region support stacks and every stage's stacks. Synthesis itself does
# not run CloudFormation's schema validation (see the README); this does, and
# more. Fails on errors only.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cfn-lint >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "cfn-lint: not found, and CI requires it (pip install cfn-lint)" >&2
    exit 1
  fi
  echo "cfn-lint: not found, SKIPPING the CloudFormation lint (pip install cfn-lint to run it)"
  exit 0
fi

topologies=(apps/pipeline/topology.yaml apps/pipeline/test/fixtures/topology-25x100.yaml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for topology in "${topologies[@]}"; do
  out="$work/$(basename "$topology" .yaml)"
  (cd apps/pipeline && ECR_REPLICATION_TOPOLOGY="$OLDPWD/$topology" npx cdk synth --quiet --no-notices -o "$out" >/dev/null 2>"$work/synth.log") || {
    cat "$work/synth.log" >&2
    exit 1
  }
  mapfile -t templates < <(find "$out" -name '*.template.json' | sort)
  echo "cfn-lint: $topology: ${#templates[@]} templates ($(cfn-lint --version))"
  cfn-lint --non-zero-exit-code error -- "${templates[@]}"
done
echo "cfn-lint: no errors"
