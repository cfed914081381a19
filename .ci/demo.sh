#!/usr/bin/env bash
# `make demo`: the command line and the SDK against a local replay server of recorded
# responses. No Azure account, no network beyond 127.0.0.1. The server is stopped on exit,
# whether the demo succeeds, fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
API_VERSION=2024-10-21
LARGE_FILE=file-e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then
    step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    step() { printf '\n== %s\n' "$*"; }
fi

step "Starting the replay server (recorded responses, api-version $API_VERSION)"
"$BIN/python" -m tests.support.replay --port 0 --api-version "$API_VERSION" >"$work/server.log" 2>&1 &
server_pid=$!
endpoint=""
for _ in $(seq 1 100); do
    endpoint=$(sed -n 's/^listening on //p' "$work/server.log")
    [ -n "$endpoint" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$endpoint" ]; then
    echo "the replay server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
echo "listening on $endpoint"

# The CLI and the SDK read the same variables. The key is a placeholder: the replay
# server accepts any key, and no command prints it.
export AZURE_OPENAI_ENDPOINT="$endpoint"
export AZURE_OPENAI_API_KEY="demo-placeholder-key"
export OPENAI_API_VERSION="$API_VERSION"

step "azure-openai-files get $LARGE_FILE"
"$BIN/azure-openai-files" get "$LARGE_FILE"

step "azure-openai-files download $LARGE_FILE -o $work/large-training-set.jsonl"
# Progress (bytes, rate, ETA) is drawn when stderr is a terminal.
"$BIN/azure-openai-files" download "$LARGE_FILE" -o "$work/large-training-set.jsonl"

step "The downloaded file"
"$BIN/python" - "$work/large-training-set.jsonl" <<'PY'
import hashlib, sys
from pathlib import Path

path = Path(sys.argv[1])
digest = hashlib.sha256()
with path.open("rb") as file:
    for block in iter(lambda: file.read(1 << 20), b""):
        digest.update(block)
print(f"size    {path.stat().st_size} bytes")
print(f"sha256  {digest.hexdigest()}")
PY

step "A service error: one line, exit code 3"
set +e
"$BIN/azure-openai-files" get file-that-does-not-exist
code=$?
set -e
echo "exit code $code"
[ "$code" -eq 3 ]

step "The SDK from Python (.ci/demo_example.py)"
"$BIN/python" .ci/demo_example.py

step "Done"
echo "make demo: all steps passed; replay server stopped."
