#!/usr/bin/env bash
# Installs whatever the playground's build and tests need and is missing, on a machine
# that has only rustup + cargo. Idempotent: every step first checks the exact version
# already present, so a second run costs a few seconds.
#
#   scripts/setup.sh            build tools (wasm target, wasm-bindgen-cli, trunk, wasm-opt)
#   scripts/setup.sh --browser  the above plus Chromium + chromedriver + playwright-core
#
# Sourced by scripts/serve.sh and scripts/test.sh; it exports PATH so that the pinned
# tools are found first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"              # npm-installed tools (wasm-opt, playwright-core); git-ignored
TRUNK_VERSION="0.21.14"           # trunk 0.22 needs rustc >= 1.96.1
BINARYEN_VERSION="132"            # older wasm-opt builds cannot parse the yew app's wasm
WANT_BROWSER=0
for a in "$@"; do [ "$a" = "--browser" ] && WANT_BROWSER=1; done

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")"
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2; exit 1; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "setup: need $* but apt-get is not available; install them by hand" >&2; exit 1
  fi
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ ! -f /tmp/.ialp-apt-updated ]; then
    $sudo apt-get update -qq && touch /tmp/.ialp-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# 1. wasm target
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. node + npm (for wasm-opt from binaryen's npm build and playwright-core)
if ! command -v npm >/dev/null; then
  say "installing node + npm (Debian)"
  apt_install nodejs npm
fi

# 3. wasm-bindgen-cli, pinned to Cargo.lock (no --locked: a locked dep is not served)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. trunk
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# 5. wasm-opt from binaryen's npm package, and playwright-core for the end-to-end tests
need_npm=()
[ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = "$BINARYEN_VERSION" ] || need_npm+=("binaryen@$BINARYEN_VERSION")
if [ "$WANT_BROWSER" = 1 ] && [ ! -f "$TOOLS/node_modules/playwright-core/package.json" ]; then
  need_npm+=("playwright-core@1")
fi
if [ "${#need_npm[@]}" -gt 0 ]; then
  say "npm install ${need_npm[*]} into .tools/"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "${need_npm[@]}"
fi

# 6. Chromium + chromedriver (Debian's; a downloaded browser build cannot be fetched here)
if [ "$WANT_BROWSER" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium + chromium-driver (Debian)"
    apt_install chromium chromium-driver
  fi
fi
