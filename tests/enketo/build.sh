#!/usr/bin/env bash
# Build dist/enketo.js (Enketo core + transformer for the browser) from the npm registry. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f dist/enketo.js ] && [ dist/enketo.js -nt package.json ] && [ dist/enketo.js -nt entry.js ]; then exit 0; fi
# --ignore-scripts: no install script may fetch anything; esbuild's platform binary comes as an npm package.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
node node_modules/esbuild/install.js
mkdir -p dist
# The transformer's Node build imports the native libxslt lazily; the browser build uses the browser's XSLT.
node_modules/.bin/esbuild entry.js --bundle --format=iife --platform=browser --outfile=dist/enketo.js \
  --external:libxslt --external:libxmljs --log-level=error
echo "built tests/enketo/dist/enketo.js"
