#!/usr/bin/env bash
# Builds the two Lambda functions for the provided.al2023 runtime on arm64:
# bin/worker/bootstrap from ./cmd/worker and bin/web/bootstrap from ./cmd/web.
# Both embed the zone database (time/tzdata), since the runtime has none.
# Run it from anywhere; bin/ is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

build() {
  local name=$1
  mkdir -p "bin/$name"
  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath \
    -ldflags="-s -w" -o "bin/$name/bootstrap" "./cmd/$name"
  printf '%-6s bin/%s/bootstrap  %s bytes\n' "$name" "$name" \
    "$(wc -c <"bin/$name/bootstrap" | tr -d ' ')"
}

build worker
build web
