#!/usr/bin/env bash
# Builds the Colab stand-in's front end (tests/colab_standin): `npm ci` from the committed
# package-lock (the @jupyter-widgets versions Colab's custom widget manager pins, ipywidgets
# 7.7.1's front end for the built-in manager, anywidget for the stand-in's CDN, esbuild), then
# the widget manager bundles into tests/colab_standin/build/.
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
cd frontend  # esbuild resolves aliased imports from the working directory
esbuild=node_modules/.bin/esbuild
assets=(--loader:.woff=dataurl --loader:.woff2=dataurl --loader:.ttf=dataurl --loader:.eot=dataurl
        --loader:.svg=dataurl --loader:.png=dataurl --loader:.gif=dataurl --log-level=warning)
js=(--bundle --format=esm --target=es2020 --define:process.env.NODE_ENV='"production"' "${assets[@]}")
# Colab's custom manager: the alphas colab-cdn-widget-manager pins.
"$esbuild" src/custom.js --outfile=../build/custom.js "${js[@]}"
"$esbuild" src/custom.css --bundle --outfile=../build/custom.css "${assets[@]}"
# The built-in manager: ipywidgets 7.7.1's front end (aliases, so controls 3 gets base 4 too).
v7=(--alias:@jupyter-widgets/base=@jupyter-widgets/base-4
    --alias:@jupyter-widgets/controls=@jupyter-widgets/controls-3 --inject:src/jquery-global.js)
"$esbuild" src/builtin.js --outfile=../build/builtin.js "${js[@]}" "${v7[@]}"
"$esbuild" src/builtin.css --bundle --outfile=../build/builtin.css "${assets[@]}" "${v7[@]:0:2}"
echo "$inputs" > ../build/.stamp
