#!/usr/bin/env bash
# Runs the command (validate, plan, verify, backfill and preflight --help) and the synth on the
# Node.js first on the PATH, and fails if it is not Node.js 22 or if anything
# says that the Node.js version is unsupported. CI runs it through
# `npx -y -p node@22 -c 'bash tools/node22-check.sh'`.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node --version)
case "$version" in
  v22.*) echo "node $version" ;;
  *) echo "expected Node.js 22, got $version" >&2; exit 1 ;;
esac

stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
cli() { node apps/cli/bin/ecr-kms-replication "$@" 2>>"$stderr"; }

cli validate --topology apps/pipeline/topology.yaml
cli plan --topology apps/pipeline/topology.yaml >/dev/null
cli plan --topology apps/pipeline/topology.yaml --format mermaid >/dev/null
cli verify --help >/dev/null
cli backfill --help >/dev/null
cli preflight --help >/dev/null
npm run --silent synth 2>>"$stderr" >/dev/null

if grep -E 'NodeVersionSupportWarning|end of life|EBADENGINE' "$stderr"; then
  echo "a supported Node.js was reported as unsupported (above)" >&2
  exit 1
fi
echo "validate, plan, verify --help, backfill --help, preflight --help and npm run synth ran on Node.js $version"
