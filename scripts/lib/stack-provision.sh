# shellcheck shell=bash
# Provisioning once all three components are healthy: topics, ClickHouse schema and buckets come from
# the libraries' own CLIs (the one place each is defined). Where a CLI does not exist yet, the stack
# creates the bare minimum itself (database, buckets) with idempotent calls. Sourced by scripts/stack.

# lib:cli-name:fallback-function (empty fallback = nothing the stack can stand in for)
STACK_PROVISIONERS=(
  "kafka:ensure-topics:"
  "clickhouse:migrate:clickhouse_ensure_database"
  "object-store:ensure-buckets:s3_ensure_buckets"
)
STACK_PROVISION_LOG="$STACK_DIR/provision.log"

# tsc -b is incremental, but even a no-op build costs seconds on two cores, so build only when a CLI's
# output is missing or any library source or tsconfig is newer than the lib's last build.
provision_needs_build() {
  local lib="$1" cli="$2" stamp
  stamp="$KUROSHIO_ROOT/libs/$lib/dist/tsconfig.tsbuildinfo"
  [ -f "$KUROSHIO_ROOT/libs/$lib/dist/cli/$cli.js" ] && [ -f "$stamp" ] || return 0
  [ -n "$(find "$KUROSHIO_ROOT/libs" "$KUROSHIO_ROOT/tsconfig.base.json" \
      \( -path '*/node_modules' -o -path '*/dist' \) -prune -o \
      -newer "$stamp" \( -name '*.ts' -o -name 'tsconfig*.json' -o -name 'package.json' \) -print -quit)" ]
}

# A CLI's last line is its summary when it prints many; two lines or fewer read fine joined.
provision_summary() {
  if [ "$(echo "$1" | wc -l)" -le 2 ]; then
    echo "$1" | paste -sd ';' | sed 's/;/; /g'
  else
    echo "$1" | tail -n 1
  fi
}

stack_provision() {
  local entry lib cli fallback to_build=() to_run=()
  : > "$STACK_PROVISION_LOG"
  for entry in "${STACK_PROVISIONERS[@]}"; do
    IFS=: read -r lib cli fallback <<< "$entry"
    if [ -f "$KUROSHIO_ROOT/libs/$lib/src/cli/$cli.ts" ]; then
      to_run+=("$lib:$cli")
      provision_needs_build "$lib" "$cli" && to_build+=("libs/$lib")
    elif [ -n "$fallback" ]; then
      "$fallback" >> "$STACK_PROVISION_LOG" 2>&1 \
        || stack_report_failure provision "$STACK_PROVISION_LOG" "$fallback failed"
      stack_say provision "$lib: no src/cli/$cli.ts yet; $fallback done"
    else
      stack_say provision "$lib: no src/cli/$cli.ts yet; skipped"
    fi
  done

  if [ "${#to_build[@]}" -gt 0 ]; then
    # Only the libraries whose CLIs run (and their references), so a half-written service elsewhere
    # in the repo cannot stop the stack from coming up.
    (cd "$KUROSHIO_ROOT" && tsc -b "${to_build[@]}") >> "$STACK_PROVISION_LOG" 2>&1 \
      || stack_report_failure provision "$STACK_PROVISION_LOG" "tsc -b ${to_build[*]} failed"
  fi

  for entry in "${to_run[@]}"; do
    IFS=: read -r lib cli <<< "$entry"
    echo "--- node libs/$lib/dist/cli/$cli.js" >> "$STACK_PROVISION_LOG"
    local output
    if ! output="$(cd "$KUROSHIO_ROOT" && node "libs/$lib/dist/cli/$cli.js" 2>&1)"; then
      echo "$output" >> "$STACK_PROVISION_LOG"
      stack_report_failure provision "$STACK_PROVISION_LOG" "libs/$lib/dist/cli/$cli.js failed"
    fi
    echo "$output" >> "$STACK_PROVISION_LOG"
    stack_say provision "$lib: $cli ok${output:+ — $(provision_summary "$output")}"
  done
}
