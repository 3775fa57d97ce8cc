#!/usr/bin/env bash
# Brings up a single-node Skiff cluster: as root, installs the OS packages the node needs when they are missing
# (saying which), installs the npm dependencies when missing, compiles the sources to dist/ when dist/ is missing
# or older than them, then runs `skiff server` (API server + embedded SQLite store, scheduler, controller-manager,
# and for this host a kubelet on containerd, kube-proxy on nftables and the cluster DNS) in the foreground from the
# compiled JavaScript. Ctrl-C stops it cleanly; running containers keep running, as with k3s.
# `--disable-agent` gives a control-plane-only server, which needs neither root nor the OS packages.
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
agent=1
for a in "${args[@]}"; do [ "$a" = --disable-agent ] && agent=0; done
if [ "$agent" = 1 ]; then
  need=()
  command -v containerd >/dev/null 2>&1 || need+=(containerd)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  [ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
  command -v nft >/dev/null 2>&1 || need+=(nftables)
  command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
  [ -x /bin/busybox ] || need+=(busybox-static)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "skiff: the node needs these OS packages: ${need[*]}; run this as root to install them, or pass --disable-agent" >&2
      exit 1
    fi
    echo "skiff: installing the OS packages the node needs (once): ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
if [ "$(id -u)" = 0 ]; then
  kubeconfig=/etc/skiff/skiff.yaml
else
  kubeconfig="$HOME/.skiff/skiff.yaml"
fi
echo "skiff: admin kubeconfig will be at $kubeconfig  (export KUBECONFIG=$kubeconfig; kubectl get ns)"
exec node dist/cli/main.js server --write-kubeconfig "$kubeconfig" "${args[@]}"
