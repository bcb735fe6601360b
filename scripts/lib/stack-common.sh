# shellcheck shell=bash
# Shared by scripts/stack and its component files: where state lives, endpoint env, process control
# and health waiting. Sourced after scripts/lib/node-env.sh (which sets KUROSHIO_ROOT).

STACK_DIR="$KUROSHIO_ROOT/.stack"
STACK_TIMEOUT="${STACK_TIMEOUT:-120}"
STACK_COMPONENTS=(kafka clickhouse s3)

# An endpoint the caller already named is theirs: we wait for it and provision it, never start or stop it.
# Remember which were named before the defaults below fill the rest in.
STACK_EXTERNAL_kafka="${KAFKA_BROKERS:+1}"
STACK_EXTERNAL_clickhouse="${CLICKHOUSE_URL:+1}"
STACK_EXTERNAL_s3="${S3_ENDPOINT:+1}"

export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
export CLICKHOUSE_DATABASE="${CLICKHOUSE_DATABASE:-kuroshio}"
export CLICKHOUSE_USER="${CLICKHOUSE_USER:-default}"
export CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-}"
export S3_ENDPOINT="${S3_ENDPOINT:-http://127.0.0.1:8333}"
export S3_ACCESS_KEY="${S3_ACCESS_KEY:-kuroshio}"
export S3_SECRET_KEY="${S3_SECRET_KEY:-kuroshio-secret-key}"
export S3_REGION="${S3_REGION:-us-east-1}"
export S3_LAKE_BUCKET="${S3_LAKE_BUCKET:-kuroshio-lake}"
export S3_MODELS_BUCKET="${S3_MODELS_BUCKET:-kuroshio-models}"
STACK_ENV_NAMES=(KAFKA_BROKERS CLICKHOUSE_URL CLICKHOUSE_DATABASE CLICKHOUSE_USER CLICKHOUSE_PASSWORD
  S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION S3_LAKE_BUCKET S3_MODELS_BUCKET)

stack_say() { printf '%-11s %s\n' "$1" "$2"; }
stack_die() { echo "stack: $*" >&2; exit 1; }

stack_is_external() { local var="STACK_EXTERNAL_$1"; [ -n "${!var}" ]; }

stack_pidfile() { echo "$STACK_DIR/$1/$1.pid"; }

# The pid file alone is not enough after a reboot or a crash: the pid may now belong to something
# else. Our processes always carry the .stack path on their command line.
stack_pid() {
  local pidfile pid
  pidfile="$(stack_pidfile "$1")"
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STACK_DIR/$1" || return 1
  echo "$pid"
}

stack_running() { stack_pid "$1" >/dev/null; }

# Starts a server detached from this shell (own session, so Ctrl-C on `stack up` or the end of the
# calling terminal does not take it down) and records its pid.
stack_spawn() {
  local name="$1" log="$2"
  shift 2
  mkdir -p "$(dirname "$log")"
  echo "--- $(date -u +%FT%TZ) starting: $*" >> "$log"
  # Without job control a background child is not a group leader, so setsid execs in place and
  # $! is the server's own pid. fd 9 is the stack lock: a server holding it would block every later
  # `stack up` for as long as it runs.
  nohup setsid "$@" >> "$log" 2>&1 < /dev/null 9>&- &
  echo $! > "$(stack_pidfile "$name")"
}

stack_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Refuses to start a server on a port something else already holds: starting would only fail later
# with a bind error buried in a log.
stack_require_free_ports() {
  local name="$1" port holder
  shift
  for port in "$@"; do
    if stack_port_in_use "$port"; then
      holder="$(ss -ltnpH "sport = :$port" 2>/dev/null \
        | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1, pid \2/p' | head -1 || true)"
      stack_die "$name: port 127.0.0.1:$port is already in use ${holder:+($holder)}; stop that process, or point the matching env var (KAFKA_BROKERS, CLICKHOUSE_URL, S3_ENDPOINT) at it to reuse it"
    fi
  done
}

# Polls `$3...` until it succeeds; $2 lists its log files for the failure report. Fails fast when
# a server we started has exited, and on any failure shows where the logs are and their tail.
stack_wait_healthy() {
  local name="$1" log="$2"
  shift 2
  local deadline=$((SECONDS + STACK_TIMEOUT)) last_error=""
  while :; do
    if last_error="$("$@" 2>&1 >/dev/null)"; then
      return 0
    fi
    if ! stack_is_external "$name" && ! stack_running "$name"; then
      stack_report_failure "$name" "$log" "exited during start-up"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      stack_report_failure "$name" "$log" "not healthy after ${STACK_TIMEOUT}s (last check: ${last_error:-no output})"
    fi
    sleep 1
  done
}

# $2 is a space-separated list of log files: a JVM that dies before its logger starts leaves the
# reason only on stdout.
stack_report_failure() {
  local name="$1" logs="$2" reason="$3" log
  stack_say "$name" "FAILED $reason" >&2
  for log in $logs; do
    [ -s "$log" ] || continue
    echo "---- last 30 lines of $log ----" >&2
    tail -n 30 "$log" >&2
  done
  [ -z "$logs" ] || echo "---- (scripts/stack logs $name) ----" >&2
  exit 1
}

# Graceful first (Kafka closes its log segments cleanly, ClickHouse finishes its writes), then KILL.
# The caller has already sent TERM to every component, so their shutdowns overlap.
stack_await_exit() {
  local name="$1" pid="$2" grace="$3"
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stack: $name did not stop within ${grace}s; killing pid $pid" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(stack_pidfile "$name")"
  stack_say "$name" "stopped (pid $pid)"
}

# apt-get update runs once per invocation, and only when something is actually missing.
STACK_APT_UPDATED=""
stack_apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || stack_die "need root (or sudo) to apt-get install $*"
    sudo="sudo"
  fi
  if [ -z "$STACK_APT_UPDATED" ]; then
    echo "stack: apt-get update" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    STACK_APT_UPDATED=1
  fi
  echo "stack: apt-get install $*" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Content only, so moving the checkout does not invalidate caches.
stack_sha256() { cat "$@" | sha256sum | cut -c1-16; }
