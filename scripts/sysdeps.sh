#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, only when missing (apt never starts services here).
set -euo pipefail
need=()
command -v mariadbd >/dev/null || need+=(mariadb-server)
command -v mariadb >/dev/null || need+=(mariadb-client)
command -v mydumper >/dev/null || need+=(mydumper)
command -v sysbench >/dev/null || need+=(sysbench)
command -v zstd >/dev/null || need+=(zstd)
command -v rclone >/dev/null || need+=(rclone)
command -v openssl >/dev/null || need+=(openssl)
command -v unzip >/dev/null || need+=(unzip)
# the status web page test drives Debian's Chromium headless (playwright-core)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "sysdeps: need root to install: ${need[*]}" >&2; exit 1; fi
  echo "sysdeps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
