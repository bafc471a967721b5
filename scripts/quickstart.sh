#!/usr/bin/env bash
# The README's first command: installs the Debian packages, builds hfd and hfctl into
# build/release, then runs the main job on an embedded default. For now that is the
# daemon started the way systemd starts it (socket activation, here through
# systemd-socket-activate on a temporary socket) answering `hfctl status`.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

echo "== build (build/release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j "$(nproc)" --target hfd hfctl

hfd=build/release/daemon/hfd
hfctl=build/release/ctl/hfctl
workdir=$(mktemp -d /tmp/hfd-quickstart-XXXXXX)
socket=$workdir/hfd.sock
activator=
cleanup() {
  if [[ -n $activator ]] && kill -0 "$activator" 2>/dev/null; then
    kill -TERM "$activator" 2>/dev/null || true
    wait "$activator" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

echo "== socket activation on $socket"
# systemd-socket-activate listens like hfd.socket does and starts hfd on the first
# connection, handing it the socket; hfd exits after 5 idle seconds.
systemd-socket-activate --listen="$socket" \
  "$hfd" --idle-exit 5 --log-target stderr --config /dev/null &
activator=$!
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.05; done

echo "== hfctl status"
"$hfctl" --socket "$socket" status
"$hfctl" --socket "$socket" health

echo "== stopping"
kill -TERM "$activator"
wait "$activator" && echo "hfd stopped cleanly"
activator=
