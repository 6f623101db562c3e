{{- define "tidb-lightning.retrieverScript" -}}
{{- $remote := .Values.dataSource.remote -}}
{{- $mode := include "tidb-lightning.mode" . -}}
# data-retriever ({{ $mode }}): POSIX sh; paths come from the env so the script runs outside Kubernetes too.
set -eu
dest="${LIGHTNING_DOWNLOAD_DIR:-/data}"
{{- if eq $mode "remote-directory" }}
{{- $ck := include "tidb-lightning.checkpointFile" . }}
src={{ include "tidb-lightning.shq" $remote.directory }}
# rclone sync deletes destination files absent from the source; the checkpoint (SQLite: the file, its -wal/-shm
# and the .<task>.bak a finished run leaves) is excluded, so it is kept (official chart bug: a re-run deleted it).
echo "data-retriever: rclone sync $src -> $dest (incremental; keeps {{ $ck }})"
rclone sync --stats=30s --stats-one-line -v \
  --exclude {{ include "tidb-lightning.shq" (printf "/%s" $ck) }} \
  --exclude {{ include "tidb-lightning.shq" (printf "/%s-*" $ck) }} \
  --exclude {{ include "tidb-lightning.shq" (printf "/%s.*" $ck) }} \
  --exclude '/lost+found/**' \
  "$src" "$dest"
{{- else }}
src={{ include "tidb-lightning.shq" $remote.path }}
file={{ include "tidb-lightning.shq" (regexReplaceAll "^.*[/:]" $remote.path "") }}
# The download and the extraction happen in a staging directory whose entries are moved out only once tar has
# succeeded, `metadata` last: a dump counts as present only when a `metadata` file is outside it. (Official chart
# bug: an interrupted extraction had already written `metadata`, so every rerun skipped the download and the
# import ran on partial data.)
stage="$dest/.lightning-download"
if [ -n "$(find "$dest" -path "$stage" -prune -o -type f -name metadata -print 2>/dev/null | head -n 1)" ]; then
  echo "data-retriever: data already exist (a metadata file is in $dest), skipping the download"
  exit 0
fi
rm -rf "$stage"
mkdir -p "$stage/x"
echo "data-retriever: rclone copy $src -> $stage"
rclone copy --stats=30s --stats-one-line -v "$src" "$stage"
tar xzf "$stage/$file" -C "$stage/x"
find "$stage/x" -mindepth 1 -maxdepth 1 ! -name metadata \
  -exec sh -c 'for e; do rm -rf "$0/${e##*/}"; mv "$e" "$0/"; done' "$dest" {} +
if [ -e "$stage/x/metadata" ]; then rm -rf "$dest/metadata"; mv "$stage/x/metadata" "$dest/metadata"; fi
rm -rf "$stage"
echo "data-retriever: extracted $file into $dest"
{{- end }}
{{- end -}}
