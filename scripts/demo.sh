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
sh scripts/build-monitor.sh "$BIN"
FLOECTL=$BIN/floectl

if [ -f "$DEMO/floed.pid" ] && kill -0 "$(cat "$DEMO/floed.pid")" 2>/dev/null; then
  echo "==> stopping the previous demo's floed"
  "$FLOECTL" services --json >/dev/null 2>&1 && rm -f "$STAGE"/*.yaml && sleep 2 || true
  kill "$(cat "$DEMO/floed.pid")" 2>/dev/null || true
  sleep 1
fi
rm -rf "$STAGE"
mkdir -p "$STAGE" "$DEMO/state"
chmod 755 "$DEMO" "$STAGE"

# The examples run from copies ("images") their user may write to (the news job writes news.db
# beside its script). As root, floed runs instances as the `floe` user (created here as
# deploy/floe-sysusers.conf would) and the copies go where that user can reach them; otherwise
# instances run as you.
if [ "$(id -u)" = 0 ]; then
  if ! id floe >/dev/null 2>&1; then
    echo "==> creating the floe user and group (instances run as floe, not root)"
    getent group floe >/dev/null || groupadd --system floe
    useradd --system --gid floe --no-create-home --home-dir / --shell /usr/sbin/nologin floe
  fi
  IMAGES=/var/lib/floe-demo/images
else
  IMAGES=$DEMO/images
fi
rm -rf "$IMAGES"
mkdir -p "$IMAGES"
chmod 755 "$(dirname "$IMAGES")" "$IMAGES"
for example in filter_service news_job; do
  cp -R "examples/$example" "$IMAGES/$example"
  rm -rf "$IMAGES/$example/stage" "$IMAGES/$example/news.db"
  if [ "$(id -u)" = 0 ]; then chown -R floe:floe "$IMAGES/$example"; fi
done
# Image directories outside the stage must be under a configured root.
printf 'imageRoots: [%s]\n' "$IMAGES" >"$DEMO/floed.yaml"

# The system PATH, as systemd gives floed (deploy/floed.service): commands in specs are found there,
# not in directories of this shell's PATH that the floe user may not enter (e.g. under /root).
start_floed() {
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$BIN/floed" --stage "$STAGE" --state-dir "$DEMO/state" --socket "$FLOE_SOCKET" \
    --config "$DEMO/floed.yaml" --log-target stderr >>"$DEMO/floed.log" 2>&1 &
  echo $! >"$DEMO/floed.pid"
  for _ in $(seq 100); do "$FLOECTL" services >/dev/null 2>&1 && break; sleep 0.1; done
}
echo "==> starting floed (stage $STAGE, log $DEMO/floed.log)"
: >"$DEMO/floed.log"
start_floed

# The examples' image files say `directory: ..` (relative to the example's stage/ folder); here they
# point at the copies made above.
copy() { # example file
  sed "s|^  directory: \.\.$|  directory: $IMAGES/$1|" "examples/$1/stage/$2" >"$STAGE/.$2.tmp"
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
echo "==> the filter service's web form through the ingress (its endpoint is public: true)"
"$FLOECTL" endpoints filter_service
INGRESS_URL=$("$FLOECTL" endpoints filter_service --json |
  python3 -c 'import json, sys; print(next((r["ingress_url"] for r in json.load(sys.stdin) if r["ingress_url"]), ""))')
echo "GET $INGRESS_URL/ui -> $(curl -s -o /dev/null -w '%{http_code}' "$INGRESS_URL/ui") (open it in a browser)"
echo "==> the service function's endpoint through the ingress (POST /filter, SPCS batch protocol)"
curl -s -X POST -H 'Content-Type: application/json' -d '{"data": [[0, "122880"]]}' "$INGRESS_URL/filter"
echo
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
echo "==> restarting floed: the filter service's instance keeps running and is adopted (same pid, restartCount 0)"
filter_pid() { pgrep -f 'filter_service\.py' | head -1; }
before=$(filter_pid)
kill "$(cat "$DEMO/floed.pid")"
while kill -0 "$(cat "$DEMO/floed.pid")" 2>/dev/null; do sleep 0.1; done
echo "floed stopped; filter_service.py still runs as pid $before: $(kill -0 "$before" 2>/dev/null && echo yes || echo no)"
start_floed
"$FLOECTL" wait filter_service --for READY --timeout 60
after=$(filter_pid)
echo "after the restart: pid $after ($([ "$before" = "$after" ] && echo the same process || echo "a NEW process"))"
"$FLOECTL" status filter_service --pretty
"$FLOECTL" events filter_service | tail -3
cat <<MSG

floed keeps running (pid $(cat "$DEMO/floed.pid")). Try:
  export FLOE_SOCKET=$FLOE_SOCKET
  $FLOECTL events
  $FLOECTL describe filter_service
  $FLOECTL logs filter_service --follow
  kill <a filter_service.py pid>   # then: $FLOECTL status filter_service (restartCount 1)
Stop it with: kill $(cat "$DEMO/floed.pid")   (instances keep running, and the next floed adopts
them: to stop them too, remove $STAGE/*.yaml first)
MSG
