#!/usr/bin/env bash
# Runs the command (validate, plan, and every other command's --help) and the
# synth on the Node.js first on the PATH, and fails if that is not the major
# version given as the first argument, or if anything says that the Node.js
# version is unsupported. CI runs it on each supported release, e.g.
# `npx -y -p node@24 -c 'bash tools/node-check.sh 24'`.
set -euo pipefail
cd "$(dirname "$0")/.."

expected=${1:?usage: tools/node-check.sh MAJOR (e.g. 22)}
version=$(node --version)
case "$version" in
  "v$expected".*) echo "node $version" ;;
  *) echo "expected Node.js $expected, got $version" >&2; exit 1 ;;
esac

stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
cli() { node apps/cli/bin/ecr-kms-replication "$@" 2>>"$stderr"; }

cli --help >/dev/null
cli validate --topology apps/pipeline/topology.yaml
cli plan --topology apps/pipeline/topology.yaml >/dev/null
cli plan --topology apps/pipeline/topology.yaml --format mermaid >/dev/null
for command in preflight import backfill verify; do
  cli "$command" --help >/dev/null
done
npm run --silent synth 2>>"$stderr" >/dev/null

if grep -E 'NodeVersionSupportWarning|end of life|EBADENGINE' "$stderr"; then
  echo "a supported Node.js was reported as unsupported (above)" >&2
  exit 1
fi
echo "the command (validate, plan, every --help) and npm run synth ran on Node.js $version"
