#!/usr/bin/env bash
# Vendors the console's chart code and map data (no CDN at run time), each at a pinned version
# from the npm registry with its licence: Chart.js (UMD build: it defines globalThis.Chart, so a
# module import needs no bundler), chartjs-chart-geo (choropleth on Chart.js, d3-geo bundled) and
# world-atlas (Natural Earth 1:110m countries as TopoJSON, ids ISO 3166-1 numeric). Then
# territories.json maps ISO 3166-1 alpha-2 (the analytics' territory keys) to those numeric ids,
# from pycountry (a dependency of the project). Run from anywhere; commit what it writes.
set -euo pipefail
CHARTJS=4.5.1
GEO=4.3.6
ATLAS=2.0.2
PYTHON="${PYTHON:-python3}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
unpack() { mkdir -p "$tmp/$1"; (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz); }
unpack chart.js "$CHARTJS"
unpack chartjs-chart-geo "$GEO"
unpack world-atlas "$ATLAS"
cp "$tmp/chart.js/package/dist/chart.umd.min.js" "$here/chart.umd.min.js"
cp "$tmp/chart.js/package/LICENSE.md" "$here/LICENSE.chartjs.md"
cp "$tmp/chartjs-chart-geo/package/build/index.umd.min.js" "$here/chartjs-chart-geo.umd.min.js"
cp "$tmp/chartjs-chart-geo/package/LICENSE" "$here/LICENSE.chartjs-chart-geo"
cp "$tmp/world-atlas/package/countries-110m.json" "$here/countries-110m.json"
cp "$tmp/world-atlas/package/LICENSE" "$here/LICENSE.world-atlas"
"$PYTHON" - "$here/territories.json" <<'PY'
import json, sys
import pycountry
codes = {c.alpha_2: c.numeric for c in pycountry.countries}
open(sys.argv[1], "w").write(json.dumps(codes, sort_keys=True, separators=(",", ":")) + "\n")
PY
{
  echo "chart.js@$CHARTJS chartjs-chart-geo@$GEO world-atlas@$ATLAS (npm registry); territories.json from pycountry"
  (cd "$here" && sha256sum chart.umd.min.js chartjs-chart-geo.umd.min.js countries-110m.json territories.json)
} > "$here/VERSION"
