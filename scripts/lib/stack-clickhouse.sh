# shellcheck shell=bash
# ClickHouse from Debian's clickhouse-server package (18.16), run with its own config under
# .stack/clickhouse rather than as the system service. Sourced by scripts/stack.

CLICKHOUSE_HOME="$STACK_DIR/clickhouse"
CLICKHOUSE_LOG="$CLICKHOUSE_HOME/log/clickhouse-server.log"
CLICKHOUSE_STDOUT="$CLICKHOUSE_HOME/log/stdout.log"

# Debian ships /usr/sbin/clickhouse-server (not on a non-root PATH); newer packages ship `clickhouse server`.
clickhouse_server_cmd() {
  local bin
  for bin in "$(command -v clickhouse-server || true)" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if [ -n "$bin" ] && [ -x "$bin" ]; then
      echo "$bin"
      return 0
    fi
  done
  bin="$(command -v clickhouse || true)"
  [ -n "$bin" ] && echo "$bin server" && return 0
  return 1
}

clickhouse_install() {
  clickhouse_server_cmd >/dev/null || stack_apt_install clickhouse-server clickhouse-client
  clickhouse_server_cmd >/dev/null || stack_die "clickhouse: no clickhouse-server after apt-get install"
}

clickhouse_start() {
  mkdir -p "$CLICKHOUSE_HOME"/{etc,data,tmp,log,user_files,format_schemas}
  local template="$KUROSHIO_ROOT/infra/clickhouse/config"
  sed "s#@STACK_DIR@#$CLICKHOUSE_HOME#g" "$template/config.xml.template" > "$CLICKHOUSE_HOME/etc/config.xml"
  cp "$template/users.xml.template" "$CLICKHOUSE_HOME/etc/users.xml"
  stack_require_free_ports clickhouse 8123 19000
  local cmd
  # shellcheck disable=SC2207 # "clickhouse server" is two words on purpose
  cmd=($(clickhouse_server_cmd))
  # ClickHouse resolves relative paths (users.xml) against its working directory's config.
  (cd "$CLICKHOUSE_HOME" && stack_spawn clickhouse "$CLICKHOUSE_STDOUT" \
    "${cmd[@]}" --config-file="$CLICKHOUSE_HOME/etc/config.xml")
}

# One SQL statement over HTTP; 18.16 has no X-ClickHouse-* headers, so credentials go as basic auth.
clickhouse_query() {
  curl -sS --fail-with-body --max-time 10 --user "$CLICKHOUSE_USER:$CLICKHOUSE_PASSWORD" \
    --data-binary "$1" "${CLICKHOUSE_URL%/}/"
}

clickhouse_probe() {
  local pong
  pong="$(curl -sS --max-time 5 "${CLICKHOUSE_URL%/}/ping")" || return 1
  [ "$pong" = "Ok." ] || { echo "ping answered: $pong" >&2; return 1; }
  local answer
  answer="$(clickhouse_query 'SELECT 1, version()')" || return 1
  [ "${answer%%$'\t'*}" = "1" ] || { echo "SELECT 1 answered: $answer" >&2; return 1; }
  echo "ClickHouse ${answer#*$'\t'}"
}

# Until libs/clickhouse's migrate CLI exists, the stack creates the database itself; IF NOT EXISTS keeps
# this harmless next to the migrations.
clickhouse_ensure_database() {
  [[ "$CLICKHOUSE_DATABASE" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] \
    || stack_die "clickhouse: CLICKHOUSE_DATABASE '$CLICKHOUSE_DATABASE' is not a plain identifier"
  clickhouse_query "CREATE DATABASE IF NOT EXISTS \`$CLICKHOUSE_DATABASE\`" >/dev/null
}

clickhouse_describe() {
  local version
  version="$(clickhouse_query 'SELECT version()' 2>/dev/null || echo '?')"
  if stack_is_external clickhouse; then
    echo "${CLICKHOUSE_URL%/} (external; ClickHouse $version)"
  else
    echo "${CLICKHOUSE_URL%/} (ClickHouse $version, native 127.0.0.1:19000)"
  fi
}

clickhouse_log_files() { echo "$CLICKHOUSE_LOG" "$CLICKHOUSE_HOME/log/clickhouse-server.err.log" "$CLICKHOUSE_STDOUT"; }
