{{/*
The non-secret environment of one service, as ConfigMap data: (dict "root" $ "name" "etl").
Variable names are the ones libs/config and the service's config.ts read; helm/tests loads each
service's real config schema with this environment.
*/}}
{{- define "kuroshio.configEnv" -}}
{{- $root := .root }}
{{- $name := .name }}
{{- $facts := index (include "kuroshio.catalog" $root | fromYaml) $name }}
{{- $svc := index $root.Values.services $name }}
{{- $env := dict }}
{{- /* Bind all interfaces: the code defaults to loopback, which no probe or peer could reach. */}}
{{- $_ := set $env "HTTP_HOST" "0.0.0.0" }}
{{- $_ := set $env "HTTP_PORT" (toString $facts.httpPort) }}
{{- if $facts.grpcPort }}
{{- $_ := set $env "GRPC_HOST" "0.0.0.0" }}
{{- $_ := set $env "GRPC_PORT" (toString $facts.grpcPort) }}
{{- end }}
{{- $_ := set $env "LOG_LEVEL" $root.Values.logLevel }}
{{- $_ := set $env "SHUTDOWN_TIMEOUT_MS" (toString (mul (include "kuroshio.shutdownSeconds" (dict "root" $root "name" $name) | int) 1000)) }}
{{- if $root.Values.otel.endpoint }}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $root.Values.otel.endpoint }}
{{- end }}
{{- if has "kafka" $facts.uses }}
{{- $_ := set $env "KAFKA_BROKERS" (join "," $root.Values.kafka.brokers) }}
{{- $_ := set $env "KAFKA_SSL" (include "kuroshio.kafkaSsl" $root) }}
{{- if $root.Values.kafka.sasl.enabled }}
{{- $_ := set $env "KAFKA_SASL_MECHANISM" $root.Values.kafka.sasl.mechanism }}
{{- end }}
{{- end }}
{{- if has "clickhouse" $facts.uses }}
{{- $_ := set $env "CLICKHOUSE_URL" $root.Values.clickhouse.url }}
{{- $_ := set $env "CLICKHOUSE_DATABASE" $root.Values.clickhouse.database }}
{{- $_ := set $env "CLICKHOUSE_USER" $root.Values.clickhouse.user }}
{{- end }}
{{- if has "s3" $facts.uses }}
{{- $_ := set $env "S3_ENDPOINT" $root.Values.s3.endpoint }}
{{- $_ := set $env "S3_REGION" $root.Values.s3.region }}
{{- $_ := set $env "S3_LAKE_BUCKET" $root.Values.s3.buckets.lake }}
{{- $_ := set $env "S3_MODELS_BUCKET" $root.Values.s3.buckets.models }}
{{- end }}
{{- range $callee, $variable := $facts.calls }}
{{- if $variable }}
{{- $_ := set $env $variable (printf "%s:%v" (include "kuroshio.componentName" (dict "root" $root "name" $callee)) (index (include "kuroshio.catalog" $root | fromYaml) $callee).grpcPort) }}
{{- end }}
{{- end }}
{{- if eq $name "collector" }}
{{- $_ := set $env "COLLECTOR_SOURCES_FILE" (printf "/etc/kuroshio/collector/%s" $svc.sources.key) }}
{{- end }}
{{- if eq $name "etl" }}
{{- $_ := set $env "ETL_PII_KEY_FILE" (printf "/etc/kuroshio/etl/%s" $svc.piiKey.key) }}
{{- end }}
{{- if eq $name "trainer" }}
{{- if and $svc.retraining.intervalMs (not $svc.retraining.policies) }}
{{- fail "services.trainer.retraining.intervalMs schedules retraining: it needs services.trainer.retraining.policies" }}
{{- end }}
{{- if $svc.retraining.policies }}
{{- $_ := set $env "TRAINER_RETRAINING_POLICIES_FILE" "/etc/kuroshio/trainer/retraining-policies.yaml" }}
{{- end }}
{{- if $svc.retraining.intervalMs }}
{{- $_ := set $env "TRAINER_RETRAINING_INTERVAL_MS" (int64 $svc.retraining.intervalMs | toString) }}
{{- end }}
{{- end }}
{{- if $root.Values.tls.caBundle.existingSecret }}
{{- $_ := set $env "NODE_EXTRA_CA_CERTS" (printf "/etc/kuroshio/tls/%s" $root.Values.tls.caBundle.key) }}
{{- end }}
{{- if $svc.nodeOptions }}
{{- $_ := set $env "NODE_OPTIONS" $svc.nodeOptions }}
{{- end }}
{{- range $key, $value := $svc.env }}
{{- $_ := set $env $key (toString $value) }}
{{- end }}
{{- range $key := keys $env | sortAlpha }}
{{ $key }}: {{ index $env $key | quote }}
{{- end }}
{{- end }}

{{/* Shutdown budget of a service in seconds: what SHUTDOWN_TIMEOUT_MS and the grace period derive from. */}}
{{- define "kuroshio.shutdownSeconds" -}}
{{- $svc := index .root.Values.services .name }}
{{- $grace := default 30 $svc.terminationGracePeriodSeconds | int }}
{{- /* The process gets the grace period less the preStop sleep and a 5 s margin before SIGKILL. */}}
{{- max 5 (sub (sub $grace (int .root.Values.preStopSleepSeconds)) 5) }}
{{- end }}

{{/* Container `env` entries of one service beyond its ConfigMap (Secret keys, the pod's own name): (dict "root" $ "name" "etl"). */}}
{{- define "kuroshio.secretEnv" -}}
{{- $root := .root }}
{{- $facts := index (include "kuroshio.catalog" $root | fromYaml) .name }}
{{- $secret := include "kuroshio.credentialsSecret" $root }}
{{- $keys := $root.Values.credentials.keys }}
{{- if and (has "kafka" $facts.uses) $root.Values.kafka.sasl.enabled }}
- name: KAFKA_SASL_USERNAME
  valueFrom: { secretKeyRef: { name: {{ $secret }}, key: {{ $keys.kafkaSaslUsername }} } }
- name: KAFKA_SASL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $secret }}, key: {{ $keys.kafkaSaslPassword }} } }
{{- end }}
{{- if has "clickhouse" $facts.uses }}
- name: CLICKHOUSE_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $secret }}, key: {{ $keys.clickhousePassword }}, optional: true } }
{{- end }}
{{- if eq .name "feature-store" }}
{{- /* Every replica keeps the whole online state, so each consumes events.clean in a group of its own. */}}
- name: POD_NAME
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
- name: FEATURE_STORE_ONLINE_GROUP
  value: {{ printf "%s-online-$(POD_NAME)" (include "kuroshio.componentName" (dict "root" $root "name" .name)) | quote }}
{{- end }}
{{- if has "s3" $facts.uses }}
- name: S3_ACCESS_KEY
  valueFrom: { secretKeyRef: { name: {{ $secret }}, key: {{ $keys.s3AccessKey }} } }
- name: S3_SECRET_KEY
  valueFrom: { secretKeyRef: { name: {{ $secret }}, key: {{ $keys.s3SecretKey }} } }
{{- end }}
{{- end }}
