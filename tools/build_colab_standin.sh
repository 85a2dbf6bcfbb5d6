#!/usr/bin/env bash
# Builds the Colab stand-in's front end (tests/colab_standin): `npm ci` from the committed
# package-lock (the @jupyter-widgets versions Colab's custom widget manager pins, anywidget for
# the stand-in's CDN, esbuild), then the widget manager bundles into tests/colab_standin/build/.
# Idempotent, and quick when nothing changed (a stamp holds the inputs' hash).
set -euo pipefail
cd "$(dirname "$0")/../tests/colab_standin"

if ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

inputs=$(cat frontend/package.json frontend/package-lock.json frontend/src/* | sha256sum | cut -d' ' -f1)
if [ -f build/.stamp ] && [ "$(cat build/.stamp)" = "$inputs" ] && [ -d frontend/node_modules ]; then
  exit 0
fi

lock_hash=$(sha256sum frontend/package-lock.json | cut -d' ' -f1)
if [ ! -f frontend/node_modules/.lock-hash ] || [ "$(cat frontend/node_modules/.lock-hash)" != "$lock_hash" ]; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > frontend/node_modules/.lock-hash
fi

mkdir -p build
esbuild=frontend/node_modules/.bin/esbuild
"$esbuild" frontend/src/custom.js frontend/src/builtin.js --bundle --format=esm --outdir=build \
  --target=es2020 --log-level=warning --define:process.env.NODE_ENV='"production"' \
  --loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl --loader:.svg=dataurl
"$esbuild" frontend/src/widgets.css --bundle --outfile=build/widgets.css --log-level=warning \
  --loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl --loader:.svg=dataurl \
  --loader:.png=dataurl --loader:.gif=dataurl
echo "$inputs" > build/.stamp
