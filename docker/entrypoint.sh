#!/bin/sh
# Entry point of the Lightning-TS image (PID 1 is tini). Runs the given command; a first argument starting with
# "-" is taken as flags of tidb-lightning (`docker run IMAGE --config ...`).
set -e
case "${1:-}" in
  "") exec tidb-lightning --help ;;
  -*) exec tidb-lightning "$@" ;;
  *) exec "$@" ;;
esac
