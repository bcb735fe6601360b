{{/*
What the chart knows about each service from its code (services/<name>/src/main.ts and config.ts):
its ports; the dependencies whose settings it reads; the services it calls over gRPC, each with the
variable in which its code takes the callee's host:port ("" while the code names none yet: the
network policy is opened, no variable is set); whether it may run more than one replica behind an
HPA; and whether it is the single writer of a change log (one replica, never two at once).
helm/tests checks this table against the code.
*/}}
{{- define "kuroshio.catalog" -}}
collector:      { httpPort: 7001, grpcPort: 7101, uses: [kafka], calls: {}, scalable: true }
etl:            { httpPort: 7002, uses: [kafka, clickhouse, s3], calls: {}, scalable: true }
feature-store:  { httpPort: 7003, grpcPort: 7103, uses: [kafka, clickhouse, s3], calls: {}, scalable: true }
trainer:        { httpPort: 7004, grpcPort: 7104, uses: [clickhouse, s3], calls: { feature-store: TRAINER_FEATURE_STORE_ADDRESS, model-registry: TRAINER_MODEL_REGISTRY_ADDRESS, experiment: TRAINER_EXPERIMENT_ADDRESS } }
model-registry: { httpPort: 7005, grpcPort: 7105, uses: [kafka, clickhouse, s3], calls: {}, singleWriter: true }
inference:      { httpPort: 7006, grpcPort: 7106, uses: [kafka, clickhouse, s3], calls: { model-registry: INFERENCE_MODEL_REGISTRY_ADDRESS, feature-store: INFERENCE_FEATURE_STORE_ADDRESS, experiment: INFERENCE_EXPERIMENT_ADDRESS }, scalable: true }
experiment:     { httpPort: 7007, grpcPort: 7107, uses: [kafka, clickhouse], calls: {}, singleWriter: true }
{{- end }}

{{- define "kuroshio.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kuroshio.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of a service's objects: (dict "root" $ "name" "collector") */}}
{{- define "kuroshio.componentName" -}}
{{- printf "%s-%s" (include "kuroshio.fullname" .root | trunc 48 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kuroshio.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kuroshio.labels" -}}
helm.sh/chart: {{ include "kuroshio.chart" . }}
app.kubernetes.io/name: {{ include "kuroshio.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: kuroshio
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* (dict "root" $ "name" "collector") */}}
{{- define "kuroshio.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kuroshio.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "kuroshio.componentLabels" -}}
{{ include "kuroshio.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Names of the enabled services, in catalog order, as a JSON list. */}}
{{- define "kuroshio.enabledServices" -}}
{{- $names := list }}
{{- range $name := list "collector" "etl" "feature-store" "trainer" "model-registry" "inference" "experiment" }}
{{- $svc := index $.Values.services $name }}
{{- if $svc.enabled }}{{ $names = append $names $name }}{{ end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{- define "kuroshio.image" -}}
{{- $svc := index .root.Values.services .name }}
{{- $img := mergeOverwrite (deepCopy .root.Values.image) (default dict $svc.image) }}
{{- $repo := printf "%s/%s" $img.repository .name }}
{{- if $svc.image.repository }}{{ $repo = $svc.image.repository }}{{ end }}
{{- if $img.registry }}{{ $repo = printf "%s/%s" $img.registry $repo }}{{ end }}
{{- if $img.digest }}
{{- printf "%s@%s" $repo $img.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion $img.tag) }}
{{- end }}
{{- end }}

{{- define "kuroshio.credentialsSecret" -}}
{{- default (printf "%s-credentials" (include "kuroshio.fullname" .)) .Values.credentials.existingSecret }}
{{- end }}

{{- define "kuroshio.piiKeySecret" -}}
{{- default (printf "%s-etl-pii-key" (include "kuroshio.fullname" .)) .Values.services.etl.piiKey.existingSecret }}
{{- end }}

{{- define "kuroshio.sourcesSecret" -}}
{{- default (printf "%s-collector-sources" (include "kuroshio.fullname" .)) .Values.services.collector.sources.existingSecret }}
{{- end }}

{{/* Kafka on TLS: asked for, or implied by tls.enabled. */}}
{{- define "kuroshio.kafkaSsl" -}}
{{- if or .Values.kafka.ssl .Values.tls.enabled }}true{{ else }}false{{ end }}
{{- end }}

{{/*
Distinct TCP ports of a dependency, as a JSON list: from the broker list (host:port) or from a URL
(its port, else 443 for https and 80 for http).
*/}}
{{- define "kuroshio.dependencyPorts" -}}
{{- $root := .root }}
{{- $ports := list }}
{{- if eq .dep "kafka" }}
{{- range $root.Values.kafka.brokers }}
{{- $ports = append $ports (int (last (splitList ":" .))) }}
{{- end }}
{{- else }}
{{- $url := "" }}
{{- if eq .dep "clickhouse" }}{{ $url = $root.Values.clickhouse.url }}{{ end }}
{{- if eq .dep "s3" }}{{ $url = $root.Values.s3.endpoint }}{{ end }}
{{- if eq .dep "otel" }}{{ $url = $root.Values.otel.endpoint }}{{ end }}
{{- $parsed := urlParse $url }}
{{- $hostPort := splitList ":" $parsed.host }}
{{- if gt (len $hostPort) 1 }}
{{- $ports = append $ports (int (last $hostPort)) }}
{{- else if eq $parsed.scheme "https" }}
{{- $ports = append $ports 443 }}
{{- else }}
{{- $ports = append $ports 80 }}
{{- end }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}

{{/* Fails the render on values that would deploy something broken or insecure. */}}
{{- define "kuroshio.validate" -}}
{{- $catalog := include "kuroshio.catalog" . | fromYaml }}
{{- range $name, $svc := .Values.services }}
{{- $facts := index $catalog $name | default dict }}
{{- if not $facts }}{{ fail (printf "services.%s: no such service (known: %s)" $name (keys $catalog | sortAlpha | join ", ")) }}{{ end }}
{{- if and $svc.autoscaling $svc.autoscaling.enabled (not $facts.scalable) }}
{{- fail (printf "services.%s.autoscaling: %s does not scale horizontally" $name $name) }}
{{- end }}
{{- if and $facts.singleWriter (gt (int $svc.replicas) 1) }}
{{- fail (printf "services.%s.replicas: %s is the single writer of its change log and runs one replica" $name $name) }}
{{- end }}
{{- if $svc.enabled }}
{{- range $callee, $_ := $facts.calls }}
{{- if not (index $.Values.services $callee).enabled }}
{{- fail (printf "services.%s.enabled: %s calls %s, which is disabled" $callee $name $callee) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $svc.ingress $svc.ingress.enabled }}
{{- if not $svc.ingress.host }}{{ fail (printf "services.%s.ingress.host is required" $name) }}{{ end }}
{{- if and $.Values.tls.enabled (not $svc.ingress.tlsSecretName) }}
{{- fail (printf "services.%s.ingress.tlsSecretName is required when tls.enabled" $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- if .Values.tls.enabled }}
{{- if not (hasPrefix "https://" .Values.clickhouse.url) }}{{ fail "clickhouse.url must be https:// when tls.enabled" }}{{ end }}
{{- if not (hasPrefix "https://" .Values.s3.endpoint) }}{{ fail "s3.endpoint must be https:// when tls.enabled" }}{{ end }}
{{- if and .Values.otel.endpoint (not (hasPrefix "https://" .Values.otel.endpoint)) }}{{ fail "otel.endpoint must be https:// when tls.enabled" }}{{ end }}
{{- end }}
{{- if and .Values.kafka.sasl.enabled (not .Values.credentials.existingSecret) (or (not .Values.credentials.values.kafkaSaslUsername) (not .Values.credentials.values.kafkaSaslPassword)) }}
{{- fail "kafka.sasl.enabled: set credentials.values.kafkaSaslUsername and kafkaSaslPassword, or credentials.existingSecret" }}
{{- end }}
{{- end }}
