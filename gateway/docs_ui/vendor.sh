#!/usr/bin/env bash
# Vendors the Redoc bundle that /api/docs serves (no CDN at run time): the pinned version from
# the npm registry, unpacked into vendor/ with its licence. Run from anywhere; commit what it writes.
set -euo pipefail
VERSION=2.5.0
here="$(cd "$(dirname "$0")" && pwd)/vendor"; mkdir -p "$here"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "redoc@$VERSION" >/dev/null && tar xzf "redoc-$VERSION.tgz")
cp "$tmp/package/bundles/redoc.standalone.js" "$here/redoc.standalone.js"
cp "$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" "$here/redoc.standalone.js.LICENSE.txt"
cp "$tmp/package/LICENSE" "$here/LICENSE.redoc"
echo "redoc@$VERSION (npm registry)" > "$here/VERSION"
sha256sum "$here/redoc.standalone.js" | cut -d' ' -f1 >> "$here/VERSION"
