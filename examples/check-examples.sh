#!/usr/bin/env bash
# Checks the examples by hand-running them the way floed runs them (python3 in the example's
# directory, with the environment the stage files give), using python3 and curl only.
#
#   examples/check-examples.sh        exits 0 when every check passes, 1 otherwise
#
# The filter service listens on a free port on 127.0.0.1; the job writes to a temporary directory.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/floe-check-examples.XXXXXX")"
server_pid=""
failures=0

cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
    rm -rf "$work"
}
trap cleanup EXIT

pass() { echo "ok   - $1"; }
fail() { echo "FAIL - $1"; failures=$((failures + 1)); }
check() { # check NAME COMMAND...: passes when the command succeeds
    local name="$1"
    shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

for tool in python3 curl; do
    command -v "$tool" >/dev/null || { echo "check-examples: $tool is required" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------
# filter_service
# ---------------------------------------------------------------------------------------------
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
(cd "$here/filter_service" && PYTHONUNBUFFERED=1 SERVER_HOST=127.0.0.1 SERVER_PORT="$port" SNOWFLAKE_SERVICE_NAME=FILTER_SERVICE \
    exec python3 filter_service.py >"$work/filter_service.log" 2>&1) &
server_pid=$!

ready=no
for _ in $(seq 1 100); do
    if curl -fsS "$base/healthcheck" >"$work/health" 2>/dev/null; then ready=yes; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
check "filter_service answers /healthcheck with 200" [ "$ready" = yes ]

# /filter: several rows, including an unknown id, a number instead of a string, and a null.
request='{"data": [[0, "122880"], [1, "122781"], [2, "no-such-id"], [3, 122980], [4, null]]}'
status="$(curl -sS -o "$work/filter.json" -w '%{http_code}' -X POST "$base/filter" \
    -H 'Content-Type: application/json' -H 'sf-external-function-format: json' \
    -H 'sf-external-function-format-version: 1.0' -H 'sf-external-function-query-batch-id: check-1' \
    --data "$request")"
check "/filter with five rows answers 200" [ "$status" = 200 ]
check "/filter answers one row per input row, same order, with the matching records" python3 - \
    "$here/filter_service/headlines.csv" "$work/filter.json" <<'EOF'
import csv, json, sys
rows = {r["UNIQUE_ID"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))}
answer = json.load(open(sys.argv[2]))
def expected(key):
    record = dict(rows[key])
    record["UNIQUE_ID"] = int(record["UNIQUE_ID"])
    return [record]
data = answer["data"]
assert [row[0] for row in data] == [0, 1, 2, 3, 4], data
assert json.loads(data[0][1]) == expected("122880"), data[0]
assert json.loads(data[1][1]) == expected("122781"), data[1]
assert json.loads(data[2][1]) == [], data[2]
assert json.loads(data[3][1]) == expected("122980"), data[3]
assert data[4][1] is None, data[4]
EOF

status="$(curl -sS -o "$work/empty.json" -w '%{http_code}' -X POST "$base/filter" --data '{"data": []}')"
check "/filter with an empty batch answers 200 {\"data\": []}" \
    python3 -c 'import json, sys; assert sys.argv[1] == "200" and json.load(open(sys.argv[2])) == {"data": []}' \
    "$status" "$work/empty.json"

for body in 'not json' '[1, 2]' '{"rows": []}' '{"data": [[0]]}' '{"data": [["x", "122880"]]}' '{"data": [7]}'; do
    status="$(curl -sS -o "$work/bad.json" -w '%{http_code}' -X POST "$base/filter" --data "$body")"
    check "/filter answers 400 with a JSON error for the malformed body '$body'" \
        python3 -c 'import json, sys; assert sys.argv[1] == "400" and json.load(open(sys.argv[2]))["error"]' \
        "$status" "$work/bad.json"
done

curl -sS "$base/ui" >"$work/ui.html"
check "GET /ui shows the form" grep -q '<form method="post" action="/ui">' "$work/ui.html"
headline="$(python3 -c 'import csv, sys, html
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    if r["UNIQUE_ID"] == "122880": print(html.escape(r["HEADLINE"]))' "$here/filter_service/headlines.csv")"
curl -sS -X POST "$base/ui" --data-urlencode 'id=122880' >"$work/ui-post.html"
check "POST /ui (the form) shows the headline of 122880" grep -qF "$headline" "$work/ui-post.html"
curl -sS -X POST "$base/ui" --data-urlencode 'id=<b>1' >"$work/ui-none.html"
check "POST /ui with an unknown id says so, escaped" grep -qF 'No headline has the unique id <b>&lt;b&gt;1</b>' \
    "$work/ui-none.html"

lines="$(grep -c '"POST /filter"' "$work/filter_service.log")"
check "filter_service logs one line per /filter request" [ "$lines" = 8 ]

kill -TERM "$server_pid"
stopped=no
for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then stopped=yes; break; fi
    sleep 0.1
done
wait "$server_pid"
code=$?
server_pid=""
check "filter_service stops on SIGTERM" [ "$stopped" = yes ]
check "filter_service exits 0 after SIGTERM" [ "$code" = 0 ]

# ---------------------------------------------------------------------------------------------
# news_job
# ---------------------------------------------------------------------------------------------
job() { # job DB [ENV=VALUE...]: runs news_job.py in its directory, like floed does
    local db="$1"
    shift
    (cd "$here/news_job" && env PYTHONUNBUFFERED=1 NEWS_DB="$db" SNOWFLAKE_SERVICE_NAME=NEWS_JOB "$@" \
        python3 news_job.py)
}
dump() { # dump DB: the feature table, sorted, as text
    python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute("SELECT * FROM NEWS_DATE_FEATURES ORDER BY UNIQUE_ID"): print(row)' "$1"
}

job "$work/once.db" >"$work/job1.log" 2>&1
check "news_job exits 0" [ $? = 0 ]
dump "$work/once.db" >"$work/first.txt"
check "news_job writes one feature row per headline (200)" [ "$(wc -l <"$work/first.txt")" = 200 ]
check "news_job derives the date features of 122880 (2023-08-02, a Wednesday)" grep -qF \
    "(122880, '2023-08-02', 2023, 3, 8, 'August', 2, 3, 'Wednesday', 214, 31, 0)" "$work/first.txt"
job "$work/once.db" >"$work/job2.log" 2>&1
check "news_job run a second time exits 0" [ $? = 0 ]
dump "$work/once.db" >"$work/second.txt"
check "news_job is idempotent (the second run leaves the same table)" cmp -s "$work/first.txt" "$work/second.txt"

# Two replicas at once on a fresh database: each does its half, together all of it.
job "$work/replicas.db" SNOWFLAKE_JOB_INDEX=0 SNOWFLAKE_JOBS_COUNT=2 >"$work/r0.log" 2>&1 &
r0=$!
job "$work/replicas.db" SNOWFLAKE_JOB_INDEX=1 SNOWFLAKE_JOBS_COUNT=2 >"$work/r1.log" 2>&1
c1=$?
wait "$r0"
c0=$?
check "news_job replicas 0 and 1 of 2 both exit 0" [ "$c0:$c1" = 0:0 ]
check "replica 0 of 2 processes its 100 rows" grep -q "replica 0 of 2: 100 of 200 rows" "$work/r0.log"
check "replica 1 of 2 processes its 100 rows" grep -q "replica 1 of 2: 100 of 200 rows" "$work/r1.log"
dump "$work/replicas.db" >"$work/replicas.txt"
check "two replicas together give the same table as one" cmp -s "$work/first.txt" "$work/replicas.txt"

job "$work/once.db" SNOWFLAKE_JOB_INDEX=2 SNOWFLAKE_JOBS_COUNT=2 >"$work/bad-index.log" 2>&1
check "news_job exits 2 when SNOWFLAKE_JOB_INDEX is out of range" [ $? = 2 ]
check "... and says which variable is wrong" grep -q "SNOWFLAKE_JOB_INDEX=2 must be in" "$work/bad-index.log"

python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE NEWS_HEADLINES SET DATE = ? WHERE UNIQUE_ID = 122800", ("sometime in May",))
db.execute("DELETE FROM NEWS_DATE_FEATURES")
db.commit()' "$work/once.db"
job "$work/once.db" >"$work/bad-date.log" 2>&1
check "news_job exits 1 when a DATE is not a date" [ $? = 1 ]
check "... names the row and the value" grep -qF "UNIQUE_ID 122800 has DATE 'sometime in May'" "$work/bad-date.log"
check "... and writes nothing" [ "$(dump "$work/once.db" | wc -l)" = 0 ]

job "$work/missing.db" NEWS_CSV="$work/no-such.csv" >"$work/no-csv.log" 2>&1
check "news_job exits 1 when the table is missing and the CSV cannot be read" [ $? = 1 ]

if [ "$failures" -ne 0 ]; then
    echo "check-examples: $failures check(s) failed; logs were in $work (now removed):"
    for log in "$work"/*.log; do echo "--- $log"; cat "$log"; done
    exit 1
fi
echo "check-examples: all checks passed"
