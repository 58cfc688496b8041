#!/usr/bin/env bash
# Builds the playground and puts it in DIR, ready for any static host, in any folder
# (docs/PUBLISHING.md): the built page, plus `_headers` (the response headers a host
# should send, in the format Netlify and Cloudflare Pages read) and HEADERS.txt (the same,
# for any other server). Installs what is missing first (scripts/setup.sh).
#
#   scripts/publish.sh DIR
#   IALP_FRAME_ANCESTORS="'self' https://course.example.edu" scripts/publish.sh DIR
#
# IALP_FRAME_ANCESTORS: who may embed the page in a frame (CSP frame-ancestors; a header
# only, a page cannot say it itself). Default 'self': no other site may frame it (a
# framing page could trick a visitor into clicks); name your course sites to embed it
# there, e.g. "'self' https://course.example.edu", or '*' for any site.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 1 ] && [ -n "$1" ] || { sed -n '2,12p' "$0"; exit 2; }
mkdir -p "$1"
DEST="$(cd "$1" && pwd)"
case "$DEST/" in "$ROOT/dist/"*) echo "publish: DIR must not be inside dist/ (trunk rebuilds it)" >&2; exit 2 ;; esac
cd "$ROOT"
if [ "${IALP_PUBLISH_NO_BUILD:-}" != 1 ]; then
  source scripts/setup.sh
  trunk build --release
fi
[ -f dist/index.html ] || { echo "publish: no dist/index.html (build first)" >&2; exit 1; }
if grep -qE '(src|href)="/[^/]' dist/index.html; then
  echo "publish: dist/index.html links files from the host's root (public_url in Trunk.toml must be ./): it would work only at a site's root" >&2; exit 1
fi
ANCESTORS="${IALP_FRAME_ANCESTORS:-'self'}"
case "$ANCESTORS" in *";"*|*","*) echo "publish: IALP_FRAME_ANCESTORS is a space-separated list of sources, got: $ANCESTORS" >&2; exit 2 ;; esac
# The header carries the page's own policy, as built (never looser), plus frame-ancestors.
CSP="$(node -e '
  const html = require("fs").readFileSync("dist/index.html", "utf8");
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  if (!m) { console.error("publish: dist/index.html has no Content-Security-Policy"); process.exit(1); }
  process.stdout.write(m[1]);
')"
cp -R dist/. "$DEST/"
cat > "$DEST/HEADERS.txt" <<HDR
Content-Security-Policy: $CSP; frame-ancestors $ANCESTORS
X-Content-Type-Options: nosniff
Referrer-Policy: no-referrer
Cross-Origin-Opener-Policy: same-origin-allow-popups
HDR
{
  echo "/*"
  sed 's/^/  /' "$DEST/HEADERS.txt"
  echo "/*.wasm"
  echo "  Content-Type: application/wasm"
} > "$DEST/_headers"
echo "publish: the playground is in $DEST ($(du -sh "$DEST" | cut -f1)); serve that folder from any path."
echo "publish: send these headers with it (written to $DEST/_headers and $DEST/HEADERS.txt); .wasm files as application/wasm:"
sed 's/^/  /' "$DEST/HEADERS.txt"
