#!/usr/bin/env bash
# Brings up Skiff as far as it is built today: installs the npm dependencies when missing, compiles the sources
# to dist/ when dist/ is missing or older than them, then runs `skiff server` (API server + embedded SQLite store,
# scheduler and controller-manager) in the foreground from the compiled JavaScript. Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "skiff: first run: installing the npm dependencies (npm ci), generating the OpenAPI schemas and compiling"
  echo "skiff: to dist/. This takes about a minute and happens once; later runs start at once."
  npm ci --no-audit --no-fund
fi
# Stale: any source, package.json or tsconfig newer than the compiled entry.
if [ ! -f dist/cli/main.js ] || [ -n "$(find src package.json tsconfig.json tsconfig.build.json -newer dist/cli/main.js -print -quit)" ]; then
  echo "skiff: compiling the TypeScript sources to dist/ (npm run build; only when they changed)"
  npm run --silent build
fi
if [ ! -f generated/openapi-schemas.json ]; then
  echo "skiff: generating the OpenAPI schemas (npm run gen:openapi; once)"
  npm run --silent gen:openapi
fi
args=("$@")
if [ "$(id -u)" = 0 ]; then
  kubeconfig=/etc/skiff/skiff.yaml
else
  kubeconfig="$HOME/.skiff/skiff.yaml"
fi
echo "skiff: admin kubeconfig will be at $kubeconfig  (export KUBECONFIG=$kubeconfig; kubectl get ns)"
exec node dist/cli/main.js server --write-kubeconfig "$kubeconfig" "${args[@]}"
