#!/usr/bin/env bash
# Start Sigma: upgrade the schema, load the market and the demo book (idempotent), then run the
# jobs process in the background and the Streamlit app in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${SIGMA_PORT:-8501}"

START=$(date +%s)
"$BIN/python" -m jobs init --logins  # cheap when nothing is to do; prints the demo logins last

"$BIN/python" -m jobs serve &
JOBS_PID=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM "$JOBS_PID" 2>/dev/null || true
  wait "$JOBS_PID" 2>/dev/null || true
}
trap stop INT TERM EXIT

echo
echo "  Sigma is starting on http://localhost:${PORT} (setup took $(($(date +%s) - START)) s)"
echo "  Log in with one of the demo logins above. Ctrl-C stops the app and the jobs process."
echo
"$BIN/streamlit" run app.py --server.port "$PORT" --server.headless true --browser.gatherUsageStats false \
  --server.fileWatcherType none  # no watcher: it would crawl the whole tree, .venv included
