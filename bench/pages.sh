#!/usr/bin/env bash
# The statistics page and the bookings list on 100,000 bookings (issue 13's figure: each page
# answers in under 150 ms), against a release `creneau serve` on SQLite at 127.0.0.1.
# Two locations, ten calendars, three services, a year and a half of bookings (10 % cancelled,
# 5 % no-shows), written straight into the database in one transaction (the overlap triggers
# still check every row). Each page is asked 30 times after one warm-up; prints the median,
# the 90th percentile and the slowest, in milliseconds. Usage: bench/pages.sh [N bookings]
set -euo pipefail
cd "$(dirname "$0")/.."
port=8198
. bench/seed.sh
cookie=$(grep -o 'creneau_session\s*[^ ]*$' "$work/jar" | awk '{print $1"="$2}')
page="http://127.0.0.1:$port"
from=$(date -u -d "-365 days" +%F); to=$(date -u +%F)
measure() {
  local label="$1" url="$2"
  curl -sf -o /dev/null -H "Cookie: $cookie" "$url" || { echo "$label: request failed"; return 1; }
  for _ in $(seq 1 30); do curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$url"; done |
    python3 -c "import sys; t=sorted(float(x)*1000 for x in sys.stdin); print(f'$label: median {t[len(t)//2]:.1f} ms, p90 {t[int(len(t)*0.9)-1]:.1f} ms, max {t[-1]:.1f} ms ({len(t)} requests)')"
}
measure "statistics page, one year, both locations" "$page/statistics?from=$from&to=$to"
measure "statistics CSV, one year" "$base/statistics.csv?from=$from&to=$to"
measure "bookings list, from a year ago (first page)" "$page/bookings?from=$from"
measure "bookings list, cancelled only" "$page/bookings?from=$from&status=cancelled"
measure "bookings list, one client" "$page/bookings?from=$from&client=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/creneau.db').execute('SELECT id FROM clients LIMIT 1').fetchone()[0])")"
measure "bookings search API, page of 200" "$base/bookings/search?limit=200"
