#!/usr/bin/env bash
# Creates the skeleton of a workspace package: tools/scripts/new-package.sh <name> "<description>"
# (package.json with the source export condition, tsconfig, tsup and vitest configs).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=$1 desc=$2 d=packages/$1
[ -e "$d" ] && { echo "$d exists" >&2; exit 1; }
mkdir -p "$d/src" "$d/test"
cat > "$d/package.json" <<EOF
{
  "name": "@dendrite-ts/$n",
  "version": "0.1.0",
  "description": "$desc",
  "type": "module",
  "license": "Apache-2.0",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "@dendrite-ts/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js"
    }
  },
  "files": ["dist", "README.md"],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc -p tsconfig.json"
  },
  "dependencies": {}
}
EOF
cp packages/protocol/tsconfig.json packages/protocol/tsconfig.build.json packages/protocol/tsup.config.ts packages/protocol/vitest.config.ts "$d/"
echo 'export {};' > "$d/src/index.ts"
echo "created $d"
