#!/usr/bin/env bash
# Packages charts/tidb-lightning and charts/tikv-importer and writes a Helm repository index.
#   scripts/charts/package.sh [OUT_DIR] [REPO_URL]
# OUT_DIR defaults to dist/charts; REPO_URL (the URL the directory will be served at) is optional: without it the
# index has relative URLs, which `helm repo add` resolves against the repository URL.
# Chart version and appVersion follow package.json's version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/dist/charts}"
url="${2:-}"
helm="$("$root/scripts/charts/helm.sh")"
version="$(node -p "require('$root/package.json').version")"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HELM_CACHE_HOME="$home/cache" HELM_CONFIG_HOME="$home/config" HELM_DATA_HOME="$home/data"
# tikv-importer is also tidb-lightning's `importer` subchart (a symlink in charts/tidb-lightning/charts/): copy the
# tree with links resolved and stamp the version into both Chart.yaml files (and the dependency pin).
stage="$home/stage"
mkdir -p "$stage"
cp -RL "$root/charts/tidb-lightning" "$root/charts/tikv-importer" "$stage/"
for c in tidb-lightning tikv-importer tidb-lightning/charts/tikv-importer; do
  sed -i -E "s/^version: .*/version: $version/; s/^appVersion: .*/appVersion: \"$version\"/" "$stage/$c/Chart.yaml"
done
sed -i -E "s/^(    version: ).*/\1$version/" "$stage/tidb-lightning/Chart.yaml"
for c in tikv-importer tidb-lightning; do
  "$helm" lint --strict "$stage/$c" >/dev/null
  "$helm" package "$stage/$c" --destination "$out" >/dev/null
done
if [ -n "$url" ]; then "$helm" repo index "$out" --url "$url"; else "$helm" repo index "$out"; fi
echo "$out: tidb-lightning-$version.tgz tikv-importer-$version.tgz index.yaml"
