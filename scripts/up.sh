#!/usr/bin/env bash
# Brings up a single-node Skiff cluster: checks the OS packages the node needs (the list src/server/host-packages.ts
# keeps; a test holds the two equal) and, as root, installs the missing ones, saying which — with --no-install it
# only says what is missing and exits 1, installing nothing (npm dependencies included); then installs the npm
# dependencies when missing, compiles the sources to dist/ when dist/ is missing or older than them, and runs
# `skiff server` (API server + embedded SQLite store, scheduler, controller-manager, and for this host a kubelet on
# containerd, kube-proxy on nftables and the cluster DNS) in the foreground from the compiled JavaScript. Ctrl-C
# stops it cleanly; running containers keep running, as with k3s. `--disable-agent` gives a control-plane-only
# server, which needs neither root nor the OS packages. Other flags go to `skiff server`.
# The checks use shell builtins only, so they answer before anything is compiled or installed.
set -euo pipefail
case "$0" in */*) cd "${0%/*}/.." ;; *) cd .. ;; esac
args=()
install=1
agent=1
proxy=1
for a in "$@"; do
  case "$a" in
    --no-install) install=0 ;;
    --disable-agent) agent=0; args+=("$a") ;;
    --disable-kube-proxy) proxy=0; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
need=()
if [ "$agent" = 1 ]; then
  have() { for p in "$@"; do command -v "$p" >/dev/null 2>&1 || return 1; done; }
  have containerd containerd-shim-runc-v2 || need+=(containerd)
  have runc || need+=(runc)
  for p in bridge host-local portmap loopback; do
    [ -x "/usr/lib/cni/$p" ] || { need+=(containernetworking-plugins); break; }
  done
  [ -x /bin/busybox ] || need+=(busybox-static)
  if [ "$proxy" = 1 ]; then
    have nft || need+=(nftables)
    have conntrack || need+=(conntrack)
  fi
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$install" = 0 ]; then
    echo "skiff: the node needs these OS packages, which are missing: ${need[*]} (--no-install: installing nothing;" >&2
    echo "skiff: install them with apt-get install -y ${need[*]}, or pass --disable-agent for a control-plane-only server)" >&2
    exit 1
  fi
  if [ "$EUID" != 0 ]; then
    echo "skiff: the node needs these OS packages: ${need[*]}; run this as root to install them, or pass --disable-agent" >&2
    exit 1
  fi
  echo "skiff: installing the OS packages the node needs (once): ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ]; then
  if [ "$install" = 0 ]; then
    echo "skiff: the npm dependencies are not installed (node_modules is missing; --no-install: run npm ci yourself)" >&2
    exit 1
  fi
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
if [ "$EUID" = 0 ]; then
  kubeconfig=/etc/skiff/skiff.yaml
else
  kubeconfig="$HOME/.skiff/skiff.yaml"
fi
echo "skiff: admin kubeconfig will be at $kubeconfig  (export KUBECONFIG=$kubeconfig; kubectl get ns)"
# glibc gives each thread that allocates its own malloc arena (up to 8 per core) and keeps their freed memory
# resident; the server runs a dozen threads (its hosted components', libuv's, V8's). Two arenas hold the same
# allocations in less resident memory (bench/product.ts measures it beside the default). glibc reads it only at
# process start, so it is set here; a value of the user's own wins. The kubelet's child process inherits it.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node dist/cli/main.js server --write-kubeconfig "$kubeconfig" "${args[@]}"
