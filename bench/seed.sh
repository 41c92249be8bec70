#!/usr/bin/env bash
# Shared by the benches on a seeded business (sourced, not run): a release `creneau serve` on
# SQLite at 127.0.0.1:$port over a fresh data directory, an owner signed in (cookie jar in
# $work/jar), two locations of five calendars open Monday to Saturday, three services, and
# N bookings (default 100,000) over a year and a half (10 % cancelled, 5 % no-shows, one in
# 20 with a known client), written straight into the database in one transaction (the
# overlap triggers still check every row). Leaves $bin, $work, $server, $port, $org, $base.
n="${1:-100000}"
port="${port:-8198}"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet
export CRENEAU_LISTEN="127.0.0.1:$port" CRENEAU_BASE_URL="http://127.0.0.1:$port" CRENEAU_DATA_DIR="$work" RUST_LOG=warn
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
hours='{"weekly":[{"weekday":1,"start":"09:00","end":"19:00"},{"weekday":2,"start":"09:00","end":"19:00"},{"weekday":3,"start":"09:00","end":"19:00"},{"weekday":4,"start":"09:00","end":"19:00"},{"weekday":5,"start":"09:00","end":"19:00"},{"weekday":6,"start":"09:00","end":"13:00"}]}'
cals=""
for l in 1 2; do
  loc=$(api -X POST "$base/locations" -d "{\"name\":\"Place $l\",\"time_zone\":\"Europe/Paris\"}" | id)
  for c in 1 2 3 4 5; do
    cal=$(api -X POST "$base/calendars" -d "{\"location_id\":\"$loc\",\"name\":\"Cal $l.$c\"}" | id)
    api -X PUT "$base/calendars/$cal/hours" -d "$hours" > /dev/null
    cals="$cals $cal:$loc"
  done
done
svcs=""
for s in 1 2 3; do
  svcs="$svcs $(api -X POST "$base/services" -d "{\"name\":\"Service $s\",\"length_min\":30}" | id)"
done
# The bookings: every calendar, every day from a year ago, 09:00 to 19:00 by 30 minutes,
# until N; one client in 20 is a known client.
python3 - "$work/creneau.db" "$org" "$n" "$cals" "$svcs" <<'EOF'
import sqlite3, sys, time, uuid
db, org, n, cals, svcs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(), sys.argv[5].split()
cals = [c.split(":") for c in cals]
con = sqlite3.connect(db)
now = int(time.time() * 1000)
day0 = (now // 86_400_000 - 365) * 86_400_000
clients = []
for i in range(500):
    cid = str(uuid.uuid4())
    clients.append(cid)
    con.execute("INSERT INTO clients (id, org_id, first_name, last_name, email, email_norm, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
                (cid, org, f"Client{i}", "Bench", f"c{i}@bench.test", f"c{i}@bench.test", now, now))
rows, k = [], 0
day = 0
while k < n:
    for cal, loc in cals:
        for slot in range(20):
            if k >= n:
                break
            start = day0 + day * 86_400_000 + (8 * 60 + slot * 30) * 60_000
            status = "cancelled" if k % 10 == 0 else ("no_show" if k % 20 == 1 else "confirmed")
            rows.append((str(uuid.uuid4()), org, loc, cal, svcs[k % 3], clients[k % 500] if k % 20 == 0 else None,
                         start, start + 30 * 60_000, status, "staff", now, now))
            k += 1
    day += 1
con.executemany("INSERT INTO bookings (id, org_id, location_id, calendar_id, service_id, client_id, start_at, end_at, status, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
con.commit()
print(f"{k} bookings over {day} days on {len(cals)} calendars")
EOF
