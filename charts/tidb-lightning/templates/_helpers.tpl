{{/* Base name of every object: <release>-tidb-lightning (as the official chart; no truncation). */}}
{{- define "tidb-lightning.name" -}}
{{- printf "%s-tidb-lightning" .Release.Name -}}
{{- end -}}

{{- define "tidb-lightning.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels (pod template and Service selector). As in the official chart, app.kubernetes.io/name carries the
release (so two releases never select each other's pods) and app.kubernetes.io/instance the target cluster name
(what TidbMonitor's Prometheus relabelling expects).
*/}}
{{- define "tidb-lightning.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tidb-lightning.name" . }}
app.kubernetes.io/instance: {{ .Values.targetTidbCluster.name }}
app.kubernetes.io/component: tidb-lightning
{{- end -}}

{{- define "tidb-lightning.labels" -}}
{{ include "tidb-lightning.selectorLabels" . }}
{{ include "tidb-lightning.extraLabels" . }}
{{- end -}}

{{/* The non-selector labels (Helm's recommended set). */}}
{{- define "tidb-lightning.extraLabels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tidb-lightning
helm.sh/chart: {{ include "tidb-lightning.chart" . }}
{{- end -}}

{{/* Data-source mode: local > adhoc > remote-directory > remote-path. A missing map counts as empty. */}}
{{- define "tidb-lightning.mode" -}}
{{- $ds := .Values.dataSource | default dict -}}
{{- $local := $ds.local | default dict -}}
{{- $adhoc := $ds.adhoc | default dict -}}
{{- $remote := $ds.remote | default dict -}}
{{- if and $local.hostPath $local.nodeName -}}local
{{- else if $adhoc.pvcName -}}adhoc
{{- else if $remote.directory -}}remote-directory
{{- else if $remote.path -}}remote-path
{{- else -}}
{{- fail "dataSource: no data source. Set dataSource.local.{nodeName,hostPath}, dataSource.adhoc.pvcName, or dataSource.remote.path / dataSource.remote.directory" -}}
{{- end -}}
{{- end -}}

{{/* failFast accepts true/false and the strings "true"/"false" (the docs use --set-string failFast=true). */}}
{{- define "tidb-lightning.failFast" -}}
{{- if eq (toString .Values.failFast) "true" -}}true{{- end -}}
{{- end -}}

{{/* Effective back end: importer.create runs lightning with the importer back end. */}}
{{- define "tidb-lightning.backend" -}}
{{- if (.Values.importer).create -}}importer{{- else -}}{{ .Values.backend }}{{- end -}}
{{- end -}}

{{- define "tidb-lightning.targetNamespace" -}}
{{- .Values.targetTidbCluster.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* Address of tikv-importer: the one importer.create renders, or the external <cluster>-importer. */}}
{{- define "tidb-lightning.importerAddr" -}}
{{- if (.Values.importer).create -}}
{{- printf "%s-importer.%s:8287" (.Values.importer.clusterName | default .Release.Name) .Release.Namespace -}}
{{- else -}}
{{- printf "%s-importer.%s:8287" .Values.targetTidbCluster.name (include "tidb-lightning.targetNamespace" .) -}}
{{- end -}}
{{- end -}}

{{/* POSIX shell single quoting: 'it'\''s'. */}}
{{- define "tidb-lightning.shq" -}}
{{- printf "'%s'" (replace "'" "'\\''" (toString .)) -}}
{{- end -}}

{{/* Name of the checkpoint file written by the default DSN; rclone sync must never delete it. */}}
{{- define "tidb-lightning.checkpointFile" -}}
{{- $m := regexFind "CHECKPOINT_USE_DATA_DIR/[^\"'\\s]+" (.Values.config | default "") -}}
{{- if $m -}}{{ trimPrefix "CHECKPOINT_USE_DATA_DIR/" $m }}{{- else -}}tidb_lightning_checkpoint.db{{- end -}}
{{- end -}}

{{- define "tidb-lightning.configData" -}}
{{ .Values.config }}
{{- if (.Values.tlsCluster).enabled }}
[security]
ca-path = "/var/lib/lightning-tls/ca.crt"
cert-path = "/var/lib/lightning-tls/tls.crt"
key-path = "/var/lib/lightning-tls/tls.key"
{{- end }}
{{- if (.Values.tlsClient).enabled }}
[tidb.security]
ca-path = "/var/lib/tidb-client-tls/ca.crt"
cert-path = "/var/lib/tidb-client-tls/tls.crt"
key-path = "/var/lib/tidb-client-tls/tls.key"
{{- end }}
{{- end -}}

{{- define "tidb-lightning.configMapName" -}}
{{- printf "%s-%s" (include "tidb-lightning.name" .) (include "tidb-lightning.configData" . | sha256sum | trunc 8) -}}
{{- end -}}

{{/* Mount point of the data volume in the main container. */}}
{{- define "tidb-lightning.dataRoot" -}}
{{- if eq (include "tidb-lightning.mode" .) "local" -}}{{ .Values.dataSource.local.hostPath }}{{- else -}}/var/lib/tidb-lightning{{- end -}}
{{- end -}}

{{/* Contradictions the schema cannot express. */}}
{{- define "tidb-lightning.validate" -}}
{{- $mode := include "tidb-lightning.mode" . -}}
{{- if and (.Values.tlsCluster).enabled (regexMatch "(?m)^\\s*\\[security\\]" (.Values.config | default "")) -}}
{{- fail "config: tlsCluster.enabled appends a [security] table; remove [security] from config" -}}
{{- end -}}
{{- if and (.Values.tlsClient).enabled (regexMatch "(?m)^\\s*\\[tidb\\.security\\]" (.Values.config | default "")) -}}
{{- fail "config: tlsClient.enabled appends a [tidb.security] table; remove [tidb.security] from config" -}}
{{- end -}}
{{- end -}}
