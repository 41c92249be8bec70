#!/usr/bin/env bash
# The bookings export on 100,000 bookings (issue 14, item 4): the CSV of every booking of both
# locations over the whole seeded history, downloaded three times from a release `creneau
# serve` (SQLite, 127.0.0.1). Prints the rows, the size, the time of each download and the
# server's memory, sampled every 20 ms during the downloads: its heap and other anonymous
# memory (`RssAnon`, what constant memory is about) and, apart, the database file pages
# SQLite maps (`RssFile`, which grows with the part of the file read, and which the kernel
# may drop at will). Usage: bench/export.sh [N bookings]
set -euo pipefail
cd "$(dirname "$0")/.."
port=8199
. bench/seed.sh
cookie=$(grep -o 'creneau_session\s*[^ ]*$' "$work/jar" | awk '{print $1"="$2}')
from=$(date -u -d "-400 days" +%F); to=$(date -u -d "+400 days" +%F)
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$server/status"; }
echo "server before: RssAnon $(kb RssAnon) kB, RssFile $(kb RssFile) kB"
( while kill -0 "$server" 2>/dev/null; do echo "$(kb RssAnon) $(kb RssFile)"; sleep 0.02; done ) > "$work/mem" &
sampler=$!
for i in 1 2 3; do
  curl -sf -o "$work/export.csv" -w "download $i: %{time_total} s, %{size_download} bytes\n" -H "Cookie: $cookie" \
    "http://127.0.0.1:$port/api/v1/orgs/$org/bookings/export.csv?from=$from&to=$to"
done
kill "$sampler" 2>/dev/null || true
echo "rows: $(($(wc -l < "$work/export.csv") - 1))"
awk '{ if ($1 > a) a = $1; if ($2 > f) f = $2 } END { print "server peak during the downloads: RssAnon " a " kB, RssFile " f " kB" }' "$work/mem"
