{{/* Names and labels shared by every template. */}}
{{- define "failover-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "failover-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "failover-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "failover-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "failover-operator.labels" -}}
{{ include "failover-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* True when a watched namespace is a kopf pattern: kopf then lists/watches Namespaces. */}}
{{- define "failover-operator.watchesNamespacePatterns" -}}
{{- range .Values.watchNamespaces -}}
{{- if or (contains "*" .) (hasPrefix "!" .) -}}true{{- end -}}
{{- end -}}
{{- end -}}
