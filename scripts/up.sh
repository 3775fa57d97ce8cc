#!/usr/bin/env bash
# Brings up Skiff as far as it is built today: installs the npm dependencies when missing, then runs
# `skiff server` (API server + embedded SQLite store) in the foreground. Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "skiff: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
args=("$@")
if [ "$(id -u)" = 0 ]; then
  kubeconfig=/etc/skiff/skiff.yaml
else
  kubeconfig="$HOME/.skiff/skiff.yaml"
fi
echo "skiff: admin kubeconfig will be at $kubeconfig  (export KUBECONFIG=$kubeconfig; kubectl get ns)"
exec node bin/skiff.js server --write-kubeconfig "$kubeconfig" "${args[@]}"
