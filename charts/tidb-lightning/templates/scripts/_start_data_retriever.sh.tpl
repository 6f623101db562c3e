{{- define "tidb-lightning.retrieverScript" -}}
{{- $remote := .Values.dataSource.remote -}}
{{- $mode := include "tidb-lightning.mode" . -}}
# data-retriever ({{ $mode }}): POSIX sh; paths come from the env so the script runs outside Kubernetes too.
set -eu
dest="${LIGHTNING_DOWNLOAD_DIR:-/data}"
{{- if eq $mode "remote-directory" }}
{{- $ck := include "tidb-lightning.checkpointFile" . }}
src={{ include "tidb-lightning.shq" $remote.directory }}
# rclone sync deletes destination files absent from the source; the excluded checkpoint file is kept
# (official chart bug: a re-run deleted the checkpoint next to the data).
echo "data-retriever: rclone sync $src -> $dest (incremental; keeps {{ $ck }})"
rclone sync --stats=30s --stats-one-line -v \
  --exclude {{ include "tidb-lightning.shq" (printf "/%s" $ck) }} \
  --exclude {{ include "tidb-lightning.shq" (printf "/%s.*" $ck) }} \
  --exclude '/lost+found/**' \
  "$src" "$dest"
{{- else }}
src={{ include "tidb-lightning.shq" $remote.path }}
file={{ include "tidb-lightning.shq" (regexReplaceAll "^.*[/:]" $remote.path "") }}
if [ -n "$(find "$dest" -type f -name metadata 2>/dev/null | head -n 1)" ]; then
  echo "data-retriever: data already exist (a metadata file is in $dest), skipping the download"
  exit 0
fi
echo "data-retriever: rclone copy $src -> $dest"
rclone copy --stats=30s --stats-one-line -v "$src" "$dest"
cd "$dest"
tar xzf "$file"
echo "data-retriever: extracted $file"
{{- end }}
{{- end -}}
