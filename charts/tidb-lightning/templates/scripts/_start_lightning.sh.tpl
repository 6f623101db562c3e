{{- define "tidb-lightning.startScript" -}}
{{- $mode := include "tidb-lightning.mode" . -}}
{{- $backend := include "tidb-lightning.backend" . -}}
{{- $tc := .Values.targetTidbCluster -}}
{{- $ns := include "tidb-lightning.targetNamespace" . -}}
# tidb-lightning start script ({{ $mode }} mode, {{ $backend }} back end): POSIX sh.
# Paths come from the env set by the chart: LIGHTNING_DATA_ROOT, LIGHTNING_CONFIG_TEMPLATE, LIGHTNING_WORK_DIR,
# and the status server address from LIGHTNING_STATUS_ADDR (0.0.0.0:8289, the Service's target port).
set -eu
root="${LIGHTNING_DATA_ROOT}"
work="${LIGHTNING_WORK_DIR:-/tmp}"
ts() { date -u '+%Y-%m-%dT%H:%M:%SZ'; }
stop() {
  echo "$(ts) $1" >&2
  if [ "${FAIL_FAST:-}" = "true" ]; then exit 1; fi
  echo "$(ts) failFast is false: the container stays up for manual intervention; run $work/tidb-lightning-ctl (tidb-lightning-ctl with this pod's flags)" >&2
  exec tail -f /dev/null
}
{{- if eq $mode "local" }}
data_dir="$root"
{{- else if eq $mode "adhoc" }}
data_dir="$root"/{{ include "tidb-lightning.shq" (.Values.dataSource.adhoc.backupName | default .Values.dataSource.adhoc.pvcName) }}
[ -d "$data_dir" ] || stop "No directory $data_dir in the PVC, please exec into my container to diagnose"
{{- else if eq $mode "remote-directory" }}
data_dir="$root"
if [ -z "$(ls -A "$data_dir" | grep -v -e '^lost+found$' -e '^{{ include "tidb-lightning.checkpointFile" . | replace "." "\\." }}' || true)" ]; then
  stop "No files in data dir, please exec into my container to diagnose"
fi
{{- else }}
# The dump is the directory of the shallowest `metadata` file (official bug: several metadata files broke dirname).
best=""; best_depth=""; ties=0
# (.lightning-download is the data-retriever's staging directory: never a dump.)
found="$(find "$root" -path "$root/.lightning-download" -prune -o -type f -name metadata -print 2>/dev/null || true)"
if [ -n "$found" ]; then
  while IFS= read -r f; do
    d=$(printf '%s' "$f" | tr -cd '/' | wc -c)
    if [ -z "$best_depth" ] || [ "$d" -lt "$best_depth" ]; then best="$f"; best_depth="$d"; ties=0
    elif [ "$d" -eq "$best_depth" ]; then ties=$((ties + 1)); fi
  done <<EOF_FOUND
$found
EOF_FOUND
fi
[ -n "$best" ] || stop "No mydumper files are found, please exec into my container to diagnose"
[ "$ties" -eq 0 ] || stop "Several dumps (metadata files at the same depth) under $root; use dataSource.adhoc.backupName to pick one"
data_dir="$(dirname "$best")"
{{- end }}
echo "$(ts) data directory: $data_dir"
# Checkpoint next to the data: CHECKPOINT_USE_DATA_DIR -> the data directory.
esc=$(printf '%s\n' "$data_dir" | sed -e 's/[\\&|]/\\&/g')
sed "s|CHECKPOINT_USE_DATA_DIR|$esc|g" "${LIGHTNING_CONFIG_TEMPLATE}" > "$work/tidb-lightning.toml"
# One flag per line, each one quoted: no glued flags, and the password is never on the command line (env TIDB_PASSWORD).
args="$work/tidb-lightning.args"
: > "$args"
arg() { printf '%s\n' "$@" >> "$args"; }
arg --config="$work/tidb-lightning.toml"
arg --pd-urls={{ include "tidb-lightning.shq" (printf "%s-pd.%s:%v" $tc.name $ns ($tc.pdClientPort | default 2379)) }}
arg --tidb-host={{ include "tidb-lightning.shq" (printf "%s-tidb.%s" $tc.name $ns) }}
arg --tidb-port={{ $tc.port | default 4000 }}
arg --tidb-status={{ $tc.statusPort | default 10080 }}
arg --tidb-user="${TIDB_USER}"
{{- if eq $backend "local" }}
arg --backend=local --sorted-kv-dir=/var/lib/sorted-kv
{{- else if eq $backend "tidb" }}
arg --backend=tidb
{{- else if eq $backend "importer" }}
arg --backend=importer --importer={{ include "tidb-lightning.importerAddr" . }}
{{- end }}
arg -d "$data_dir"
# tidb-lightning-ctl with the same flags, for manual intervention (kubectl exec <pod> -- $work/tidb-lightning-ctl ...).
cat > "$work/tidb-lightning-ctl" <<'EOF_CTL'
#!/bin/sh
n=$#
while IFS= read -r a; do set -- "$@" "$a"; done < "${LIGHTNING_WORK_DIR:-/tmp}/tidb-lightning.args"
i=0; while [ "$i" -lt "$n" ]; do a=$1; shift; set -- "$@" "$a"; i=$((i + 1)); done
exec tidb-lightning-ctl "$@"
EOF_CTL
chmod +x "$work/tidb-lightning-ctl"
set --
while IFS= read -r a; do set -- "$@" "$a"; done < "$args"
set -- "$@" --status-addr="${LIGHTNING_STATUS_ADDR:-0.0.0.0:8289}" --server-mode=false
echo "$(ts) starting: tidb-lightning $*"
rc=0
tidb-lightning "$@" || rc=$?
if [ "$rc" -ne 0 ]; then
  stop "tidb-lightning exits abnormally (exit code $rc), please exec into my container to do manual intervention"
fi
echo "$(ts) tidb-lightning finished"
{{- end -}}
