{{/*
Helpers of the tikv-importer chart. This chart is also the `importer` subchart of tidb-lightning
(charts/tidb-lightning/charts/tikv-importer is a symlink to it), so the tidb-lightning chart computes the importer
address with the same rule: <clusterName, or the release name when empty>-importer.
*/}}
{{- define "tikv-importer.clusterName" -}}
{{- .Values.clusterName | default .Release.Name -}}
{{- end -}}

{{- define "tikv-importer.fullname" -}}
{{- printf "%s-importer" (include "tikv-importer.clusterName" .) -}}
{{- end -}}

{{- define "tikv-importer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: instance is the cluster name (official #3631: Prometheus relabelling matches the cluster). */}}
{{- define "tikv-importer.selectorLabels" -}}
app.kubernetes.io/name: {{ .Values.nameOverride | default "tikv-importer" }}
app.kubernetes.io/instance: {{ include "tikv-importer.clusterName" . }}
app.kubernetes.io/component: importer
{{- end -}}

{{- define "tikv-importer.labels" -}}
{{ include "tikv-importer.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: tidb-lightning
helm.sh/chart: {{ include "tikv-importer.chart" . }}
{{- end -}}

{{- define "tikv-importer.configData" -}}
{{ .Values.config }}
{{- if (.Values.tlsCluster).enabled }}
[security]
ca-path = "/var/lib/importer-tls/ca.crt"
cert-path = "/var/lib/importer-tls/tls.crt"
key-path = "/var/lib/importer-tls/tls.key"
{{- end }}
{{- end -}}

{{- define "tikv-importer.configMapName" -}}
{{- printf "%s-%s" (include "tikv-importer.fullname" .) (include "tikv-importer.configData" . | sha256sum | trunc 8) -}}
{{- end -}}
