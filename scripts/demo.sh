#!/usr/bin/env bash
# make demo: build floe, start floed on a local stage (.demo/), drop in the seed's examples (the
# filter service and its function, then the news job), and show what floectl says.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=$ROOT/.demo
STAGE=$DEMO/stage
export FLOE_SOCKET=$DEMO/floed.sock

echo "==> building floe (the first build takes a few minutes)"
mkdir -p "$DEMO"
if ! swift build >"$DEMO/build.log" 2>&1; then
  cat "$DEMO/build.log"
  exit 1
fi
BIN=$(swift build --show-bin-path 2>/dev/null)
FLOECTL=$BIN/floectl

if [ -f "$DEMO/floed.pid" ] && kill -0 "$(cat "$DEMO/floed.pid")" 2>/dev/null; then
  echo "==> stopping the previous demo's floed"
  "$FLOECTL" services --json >/dev/null 2>&1 && rm -f "$STAGE"/*.yaml && sleep 2 || true
  kill "$(cat "$DEMO/floed.pid")" 2>/dev/null || true
  sleep 1
fi
rm -rf "$STAGE"
mkdir -p "$STAGE" "$DEMO/state"
: >"$DEMO/floed.yaml"
chmod 755 "$DEMO" "$STAGE"

echo "==> starting floed (stage $STAGE, log $DEMO/floed.log)"
"$BIN/floed" --stage "$STAGE" --state-dir "$DEMO/state" --socket "$FLOE_SOCKET" \
  --config "$DEMO/floed.yaml" --log-target stderr >"$DEMO/floed.log" 2>&1 &
echo $! >"$DEMO/floed.pid"
for _ in $(seq 100); do "$FLOECTL" services >/dev/null 2>&1 && break; sleep 0.1; done

# The examples' image files say `directory: ..` (relative to the example's stage/ folder); copies
# in another stage need the absolute path.
copy() { # example file
  sed "s|^  directory: \.\.$|  directory: $ROOT/examples/$1|" "examples/$1/stage/$2" >"$STAGE/.$2.tmp"
  chmod 644 "$STAGE/.$2.tmp"
  mv "$STAGE/.$2.tmp" "$STAGE/$2"
}

echo "==> floectl validate examples/filter_service/stage"
"$FLOECTL" validate examples/filter_service/stage
echo "==> dropping the filter service (pool, image, service, function) into the stage"
for f in snowpark_cs_compute_pool.yaml my_filter_service_image.yaml filter_service.yaml filter_doc_udf.yaml; do
  copy filter_service "$f"
done
"$FLOECTL" wait filter_service --for READY --timeout 60
echo "==> floectl status filter_service"
"$FLOECTL" status filter_service --pretty
echo "==> floectl services"
"$FLOECTL" services
echo "==> floectl functions"
"$FLOECTL" functions
echo "==> floectl call filter_doc_udf 122880 (SELECT filter_doc_udf('122880'))"
"$FLOECTL" call filter_doc_udf 122880
echo "==> running the news job (EXECUTE JOB SERVICE)"
copy news_job my_news_job_image.yaml
copy news_job news_job.yaml
"$FLOECTL" wait news_job --for DONE --timeout 120
"$FLOECTL" status news_job --pretty
echo "==> floectl logs news_job"
"$FLOECTL" logs news_job
echo "==> floectl pools"
"$FLOECTL" pools
cat <<MSG

floed keeps running (pid $(cat "$DEMO/floed.pid")). Try:
  export FLOE_SOCKET=$FLOE_SOCKET
  $FLOECTL events
  $FLOECTL describe filter_service
  $FLOECTL logs filter_service --follow
  kill <a filter_service.py pid>   # then: $FLOECTL status filter_service (restartCount 1)
Stop it with: kill $(cat "$DEMO/floed.pid")   (instances keep running: remove $STAGE/*.yaml first)
MSG
