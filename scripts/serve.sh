#!/usr/bin/env bash
# Builds the playground (release) and serves it on http://127.0.0.1:8080.
# Installs what is missing first (scripts/setup.sh). Ctrl-C stops the server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
echo "Building (the first release build takes several minutes), then serving on http://127.0.0.1:8080"
exec trunk serve --release --address 127.0.0.1 --port 8080 "$@"
