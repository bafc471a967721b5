#!/usr/bin/env bash
# The README's first command: installs the Debian packages, builds hfd, hfctl and the
# demo model generator into build/release, then runs the main job with no network:
#   1. writes the demo model (Llama architecture, random Q8_0 weights, GPT-2 tokenizer)
#      into a Hub repo folder and serves it with the repo's test Hub (tests/hub/hub_server.py);
#   2. starts hfd the way systemd does (socket activation, through systemd-socket-activate
#      on a temporary socket) with HF_ENDPOINT at that Hub and a temporary HF_HOME;
#   3. hfctl status, pull, run (tokens streamed, then tokens/s), ps;
#   4. prints the chat page's address: hfd serves its HTTP APIs and chat page on a Unix
#      socket beside hfd.sock and on a free loopback port; from a terminal it waits for
#      Enter, so a browser can open the page, then stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

echo "== build (build/release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target hfd hfctl hfd-make-demo-model

hfd=build/release/daemon/hfd
hfctl=build/release/ctl/hfctl
repo=demo/tiny-random-llama
workdir=$(mktemp -d /tmp/hfd-quickstart-XXXXXX)
socket=$workdir/hfd.sock
hub_pid=
activator=
cleanup() {
  for pid in $activator $hub_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$workdir"
}
trap cleanup EXIT
fail() {
  echo "quickstart: $1" >&2
  [[ -f $workdir/hfd.log ]] && { echo "-- hfd's log:" >&2; tail -n 30 "$workdir/hfd.log" >&2; }
  exit 1
}

echo "== demo model: random weights, so it writes gibberish"
revision=$workdir/hub/$repo/revisions/main
mkdir -p "$revision"
build/release/tools/hfd-make-demo-model --vocab assets/demo/ggml-vocab-gpt-2.gguf \
  --out "$revision/tiny-random-llama-Q8_0.gguf"
cp assets/demo/MODEL_CARD.md "$revision/README.md"

echo "== local test Hub serving $repo"
python3 tests/hub/hub_server.py --root "$workdir/hub" >"$workdir/hub.out" 2>"$workdir/hub.log" &
hub_pid=$!
for _ in $(seq 200); do grep -q '^READY' "$workdir/hub.out" 2>/dev/null && break; sleep 0.05; done
read -r _ api_port _ <"$workdir/hub.out" || fail "the test Hub did not start: $(cat "$workdir/hub.log")"
endpoint=http://127.0.0.1:$api_port
echo "HF_ENDPOINT=$endpoint"

echo "== hfd by socket activation on $socket"
# systemd-socket-activate listens like hfd.socket does and starts hfd on the first
# connection, handing it the socket (and only the environment given with -E). Port 0: the
# kernel picks a free one, which `status` reports.
HF_ENDPOINT=$endpoint HF_HOME=$workdir/hf-home HF_HUB_CACHE=$workdir/hf-home/hub \
  HFD_HTTP_LISTEN=127.0.0.1:0 \
  systemd-socket-activate --listen="$socket" -E HF_ENDPOINT -E HF_HOME -E HF_HUB_CACHE \
  -E HFD_HTTP_LISTEN \
  "$hfd" --idle-exit 60 --log-target stderr --config /dev/null 2>"$workdir/hfd.log" &
activator=$!
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.05; done
ctl() { "$hfctl" --socket "$socket" "$@"; }

echo "== hfctl status"
# --wait-probe: the daemon has just started; show the backends once its Vulkan probe is done.
ctl status --wait-probe || fail "hfctl status failed"
ctl health

echo "== hfctl pull $repo"
ctl pull "$repo" || fail "hfctl pull failed"

echo "== hfctl run $repo \"Once upon a time\" --max-tokens 48"
ctl run "$repo" "Once upon a time" --max-tokens 48 || fail "hfctl run failed"

echo "== hfctl ps"
ctl ps

page=$(ctl --json status | python3 -c '
import json, sys
print(next(l["url"] for l in json.load(sys.stdin)["http_listeners"] if "url" in l))') ||
  fail "status lists no HTTP listener on TCP"
curl -fsS -o /dev/null "$page" || fail "the chat page at $page did not load"
echo "== chat page: $page (and over unix:$workdir/hfd-http.sock)"
if [[ -t 0 ]]; then
  read -r -p "Open it in a browser to chat with $repo; press Enter to stop hfd. " _
fi

echo "== stopping"
kill -TERM "$activator"
wait "$activator" && echo "hfd stopped cleanly"
activator=
