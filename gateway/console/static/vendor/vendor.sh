#!/usr/bin/env bash
# Vendors Chart.js for the console's charts (no CDN at run time): the pinned version from the npm
# registry, its UMD build (it sets globalThis.Chart, so a module import of it needs no bundler)
# with its licence. Run from anywhere; commit what it writes.
set -euo pipefail
VERSION=4.5.1
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "chart.js@$VERSION" >/dev/null && tar xzf "chart.js-$VERSION.tgz")
cp "$tmp/package/dist/chart.umd.min.js" "$here/chart.umd.min.js"
cp "$tmp/package/LICENSE.md" "$here/LICENSE.chartjs.md"
echo "chart.js@$VERSION (npm registry)" > "$here/VERSION"
sha256sum "$here/chart.umd.min.js" | cut -d' ' -f1 >> "$here/VERSION"
