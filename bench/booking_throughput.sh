#!/usr/bin/env bash
# Booking creation over HTTP on a database already holding N bookings, against a release
# `creneau serve` on 127.0.0.1: 50 calendars, N past bookings seeded in one SQL transaction
# (spread over the calendars, one every hour per calendar, so 1 M bookings reach back years),
# then wrk POSTs distinct, non-overlapping staff bookings (with a service) after all of them.
# Usage: bench/booking_throughput.sh [sqlite|postgres] [bookings, default 10000]
# Needs wrk (installed with apt-get when missing), python3 and, for postgres, psql and the
# server at 127.0.0.1:5432 (user postgres, trust).
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
seed="${2:-10000}"
port=8198
conns="${CONNS:-16}"
command -v wrk > /dev/null || { apt-get install -y wrk > /dev/null || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }; }
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
org=$(api "http://127.0.0.1:$port/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
base="http://127.0.0.1:$port/api/v1/orgs/$org"
id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
loc=$(api -X POST "$base/locations" -d '{"name":"Bench place","time_zone":"Europe/Paris"}' | id)
svc=$(api -X POST "$base/services" -d '{"name":"Visit","length_min":30,"step_min":15,"min_notice_min":0,"max_advance_days":730}' | id)
hours='{"weekly":[{"weekday":1,"start":"08:00","end":"20:00"},{"weekday":2,"start":"08:00","end":"20:00"},{"weekday":3,"start":"08:00","end":"20:00"},{"weekday":4,"start":"08:00","end":"20:00"},{"weekday":5,"start":"08:00","end":"20:00"}]}'
cals=()
for i in $(seq 1 50); do
  cal=$(api -X POST "$base/calendars" -d "{\"location_id\":\"$loc\",\"name\":\"Cal $i\"}" | id)
  api -X PUT "$base/calendars/$cal/hours" -d "$hours" > /dev/null
  api -X PUT "$base/services/$svc/calendars/$cal" > /dev/null
  cals+=("$cal")
done
# The history: booking i on calendar i % 50, starting (i / 50) hours after 2020-01-01, 30 min
# long; ids are generated, not UUIDv7, which no reader cares about.
t0=$(date +%s)
hist_start=1577836800000
if [ "$backend" = postgres ]; then
  arr="ARRAY['$(IFS=,; echo "${cals[*]}" | sed "s/,/','/g")']"
  psql -q -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 <<SQL
BEGIN;
INSERT INTO bookings (id, org_id, location_id, calendar_id, start_at, end_at, status, notes, source, created_at, updated_at)
SELECT 'seed-' || lpad(i::text, 8, '0'), '$org', '$loc', ($arr)[i % 50 + 1],
       $hist_start + (i / 50) * 3600000::bigint, $hist_start + (i / 50) * 3600000::bigint + 1800000,
       'confirmed', '', 'staff', $hist_start, $hist_start
FROM generate_series(0, $seed - 1) AS i;
COMMIT;
ANALYZE bookings;
SQL
else
  python3 - "$work/creneau.db" "$org" "$loc" "$seed" "$hist_start" "${cals[@]}" <<'PY'
import sqlite3, sys
path, org, loc, n, t0, cals = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:]
db = sqlite3.connect(path, timeout=30, isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("CREATE TEMP TABLE seed_cals (k INTEGER PRIMARY KEY, id TEXT)")
db.executemany("INSERT INTO seed_cals VALUES (?, ?)", list(enumerate(cals)))
# Newest first, so even an overlap trigger scanning all earlier bookings finds none.
db.execute("""
WITH RECURSIVE n(i) AS (SELECT ? - 1 UNION ALL SELECT i - 1 FROM n WHERE i > 0)
INSERT INTO bookings (id, org_id, location_id, calendar_id, start_at, end_at, status, notes, source, created_at, updated_at)
SELECT printf('seed-%08d', i), ?, ?, c.id, ? + (i / 50) * 3600000, ? + (i / 50) * 3600000 + 1800000,
       'confirmed', '', 'staff', ?, ?
FROM n JOIN seed_cals c ON c.k = i % 50""", (n, org, loc, t0, t0, t0, t0))
db.execute("COMMIT")
db.execute("ANALYZE")
PY
fi
echo "seeded $seed bookings in $(( $(date +%s) - t0 )) s"
cookie=$(grep -o 'creneau_session\s*[^ ]*$' "$work/jar" | awk '{print $1"="$2}')
# New bookings start on 2030-01-07 (a Monday) at 08:00 UTC, after the whole history; request
# k of thread t takes slot s = k * threads + t: calendar s % 50, half hour s / 50 of the day,
# moving to the next day after 20 half hours so every booking is inside working hours.
cat > "$work/post.lua" <<LUA
local cals = { "$(IFS=,; echo "${cals[*]}" | sed 's/,/", "/g')" }
local threads, counter = 2, 0
local n = 0
function setup(thread) thread:set("tid", n); n = n + 1 end
function request()
  local s = counter * threads + tid
  counter = counter + 1
  local cal = cals[(s % 50) + 1]
  local k = math.floor(s / 50)
  local day, half = math.floor(k / 20), k % 20
  local t = 1893916800 + 8 * 3600 + day * 86400 + half * 1800
  local body = string.format('{"calendar_id":"%s","service_id":"$svc","start":"%s","override_hours":true}', cal, os.date("!%Y-%m-%dT%H:%M:%SZ", t))
  return wrk.format("POST", "/api/v1/orgs/$org/bookings", nil, body)
end
function response(status, headers, body)
  if status ~= 201 and not reported then reported = true; print("unexpected " .. status .. ": " .. body) end
end
LUA
echo "backend=$backend: $seed bookings already, 50 calendars, $conns connections"
wrk -t2 -c"$conns" -d20s --latency -s "$work/post.lua" -H "Cookie: $cookie" -H 'content-type: application/json' "http://127.0.0.1:$port"
if [ "$backend" = postgres ]; then
  psql -qtA -h 127.0.0.1 -U postgres -d "$db" -c "SELECT 'bookings now: ' || COUNT(*) FROM bookings"
else
  python3 -c "import sqlite3,sys; print('bookings now:', sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM bookings').fetchone()[0])" "$work/creneau.db"
fi
