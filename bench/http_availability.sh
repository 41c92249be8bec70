#!/usr/bin/env bash
# HTTP availability load: 7 days, "anyone" over 20 calendars, 50 connections, 20 s, against a
# release `creneau serve` on 127.0.0.1. Usage: bench/http_availability.sh [sqlite|postgres]
# Options (environment): ONE=1 one calendar instead of "anyone"; WRITES=N bookings a second
# during the load; PERF=file records the server with perf (PERF_ALL=1: the whole machine).
# Needs wrk (apt-get install wrk) and, for postgres, the server at 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
port=8199
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet
export CRENEAU_LISTEN="127.0.0.1:$port" CRENEAU_BASE_URL="http://127.0.0.1:$port" CRENEAU_DATA_DIR="$work" RUST_LOG=warn
if [ "$backend" = postgres ]; then
  db="creneau_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db"
  export CRENEAU_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
  trap 'kill "${server:-0}" 2>/dev/null || true; sleep 1; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$work"' EXIT
fi
bin="${CARGO_TARGET_DIR:-target}/release/creneau"
token=$($bin create-owner --email bench@example.fr --org Bench | grep -o 'token=[A-Za-z0-9_-]*' | cut -d= -f2)
$bin serve --no-worker > "$work/serve.log" 2>&1 &
server=$!
sleep 1
api() { curl -sf -b "$work/jar" -c "$work/jar" -H 'content-type: application/json' "$@"; }
api -X POST "http://127.0.0.1:$port/api/v1/auth/password/reset" -d "{\"token\":\"$token\",\"password\":\"bench password 1\"}" > /dev/null
api -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d '{"email":"bench@example.fr","password":"bench password 1"}' > /dev/null
base="http://127.0.0.1:$port/api/v1/orgs/$(api "http://127.0.0.1:$port/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
loc=$(api -X POST "$base/locations" -d '{"name":"Bench place","time_zone":"Europe/Paris"}' | id)
svc=$(api -X POST "$base/services" -d '{"name":"Visit","length_min":30,"step_min":15,"min_notice_min":0,"max_advance_days":365}' | id)
hours='{"weekly":[{"weekday":1,"start":"09:00","end":"12:30"},{"weekday":1,"start":"13:30","end":"19:00"},{"weekday":2,"start":"09:00","end":"19:00"},{"weekday":3,"start":"09:00","end":"19:00"},{"weekday":4,"start":"09:00","end":"19:00"},{"weekday":5,"start":"09:00","end":"19:00"},{"weekday":6,"start":"09:00","end":"13:00"}]}'
from=$(date -u -d "+7 days" +%F); to=$(date -u -d "+13 days" +%F)
for i in $(seq 1 20); do
  cal=$(api -X POST "$base/calendars" -d "{\"location_id\":\"$loc\",\"name\":\"Cal $i\"}" | id)
  api -X PUT "$base/calendars/$cal/hours" -d "$hours" > /dev/null
  api -X PUT "$base/services/$svc/calendars/$cal" > /dev/null
  # Ten bookings per calendar in the window.
  for d in 0 1 2 3 4; do
    day=$(date -u -d "$from +$d days" +%F)
    for h in 09 15; do
      api -X POST "$base/bookings" -d "{\"calendar_id\":\"$cal\",\"start\":\"${day}T${h}:00:00Z\",\"override_hours\":true}" > /dev/null
    done
  done
done
cookie=$(grep -o 'creneau_session\s*[^ ]*$' "$work/jar" | awk '{print $1"="$2}')
# ONE=1: the last calendar alone instead of "anyone" in the location.
who="location_id=$loc"; [ -z "${ONE:-}" ] || who="calendar_id=$cal"
url="$base/availability?service_id=$svc&$who&from=$from&to=$to&tz=Europe/Paris"
slots=$(curl -sf -H "Cookie: $cookie" "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "backend=$backend: 20 calendars, 200 bookings in the window, $slots slots per response"
if [ -n "${PERF:-}" ]; then
  # Profile the server during the load: PERF=out.data bench/http_availability.sh …
  # PERF_ALL=1: the whole machine (server, wrk, kernel), to see who takes the cores.
  target=(-p "$server"); [ -z "${PERF_ALL:-}" ] || target=(-a)
  perf record -F 499 -g "${target[@]}" -o "$PERF" -- sleep 15 > /dev/null 2>&1 &
  perfpid=$!
fi
if [ -n "${WRITES:-}" ]; then
  # WRITES=N: N staff bookings a second during the load (a day after the window, so the
  # answer keeps its size). Each one is an audited change of the organisation, so every
  # cached value of it is dropped: the figures then include the reloads that follow.
  late=$(date -u -d "$to +2 days" +%F)
  (
    end=$((SECONDS + 20)); n=0; first=$(date -u -d "$late" +%s)
    while [ $SECONDS -lt $end ]; do
      start=$(date -u -d "@$((first + n * 1800))" +%FT%TZ); stop=$(date -u -d "@$((first + n * 1800 + 900))" +%FT%TZ)
      curl -sf -o /dev/null -H "Cookie: $cookie" -H 'content-type: application/json' -X POST "$base/bookings" \
        -d "{\"calendar_id\":\"$cal\",\"start\":\"$start\",\"end\":\"$stop\",\"override_hours\":true}" && n=$((n + 1))
      sleep "$(python3 -c "print(1/${WRITES})")"
    done
    echo "bookings written during the load: $n"
  ) &
  writer=$!
fi
xacts() { psql -tA -h 127.0.0.1 -U postgres -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }
[ "$backend" != postgres ] || before=$(xacts)
wrk -t2 -c50 -d20s --latency -H "Cookie: $cookie" "$url" | tee "$work/wrk.out"
if [ "$backend" = postgres ]; then
  # Each statement outside a transaction is one: how many the server asked per request.
  sleep 1
  python3 -c "import re,sys; n=int(re.search(r'(\d+) requests in', open('$work/wrk.out').read()).group(1)); print(f'PostgreSQL transactions per request: {($(xacts) - $before) / n:.2f}')"
fi
if [ -n "${perfpid:-}" ]; then wait "$perfpid" || true; fi
if [ -n "${writer:-}" ]; then wait "$writer" || true; fi
