{{- define "patronus.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "patronus.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "patronus.labels" -}}
{{ include "patronus.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "patronus.databaseSecret" -}}
{{- if .Values.database.existingSecret -}}
{{ .Values.database.existingSecret }}
{{- else if .Values.database.url -}}
{{ include "patronus.fullname" . }}-database
{{- else -}}
{{ fail "database.url or database.existingSecret is required: the chart runs the server on an external PostgreSQL" }}
{{- end -}}
{{- end -}}

{{- define "patronus.redisSecret" -}}
{{- if .Values.redis.existingSecret -}}
{{ .Values.redis.existingSecret }}
{{- else if .Values.redis.url -}}
{{ include "patronus.fullname" . }}-redis
{{- else if gt (int .Values.replicaCount) 1 -}}
{{ fail "more than one replica needs Redis (redis.url or redis.existingSecret): it shares rate limits and wakes agents parked on other replicas" }}
{{- end -}}
{{- end -}}
