#!/usr/bin/env bash
# Rebuild js/vendor/plotly-colab.min.js.gz, the plotly.js the Monitor's chart loads, from
# js/vendor/plotly-entry.js and the pinned plotly.js sources on npm. Needs node >= 18 and npm.
# Not part of install or CI: the built file is committed. See js/vendor/README.md.
set -euo pipefail

PLOTLY_VERSION=4.1.1
ESBUILD_VERSION=0.28.2
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --silent \
  "plotly.js@$PLOTLY_VERSION" "esbuild@$ESBUILD_VERSION"
cp "$repo/js/vendor/plotly-entry.js" entry.js
node - <<'JS'
const fs = require('fs');
const version = require('plotly.js/package.json').version;
require('esbuild').buildSync({
  entryPoints: ['entry.js'], outfile: 'plotly-colab.min.js', bundle: true, minify: true,
  format: 'iife', globalName: 'Plotly', target: 'es2020', legalComments: 'eof',
  define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
  alias: { stream: 'stream-browserify' },
  banner: { js: `/*! plotly.js v${version} (colab_panel's cut: js/vendor/plotly-entry.js)` +
                ` | Copyright 2012-2026, Plotly, Inc. | MIT license */` },
  // As a script it sets window.Plotly; evaluated with a `module` it exports there as well.
  footer: { js: 'window.Plotly=Plotly;if(typeof module==="object"&&module)module.exports=Plotly;' },
});
JS
gzip -9 -n -c plotly-colab.min.js > "$repo/js/vendor/plotly-colab.min.js.gz"
cp node_modules/plotly.js/LICENSE "$repo/js/vendor/plotly.LICENSE"
echo "plotly.js $PLOTLY_VERSION: $(wc -c < plotly-colab.min.js) bytes, gzip $(wc -c < "$repo/js/vendor/plotly-colab.min.js.gz")"
sha256sum "$repo/js/vendor/plotly-colab.min.js.gz"
