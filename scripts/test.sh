#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, then
# checks formatting, vets and runs every test. Run it from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "node packages (dynalite, pinned in tools/package-lock.json)"
npm ci --prefix tools --no-audit --no-fund

step "AWS Lambda runtime interface emulator"
if ! command -v aws-lambda-rie >/dev/null; then
  go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$RIE_VERSION"
fi

step "Chromium for the browser test"
if [ ! -x /usr/lib/chromium/chromium ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt would change:\n%s\n' "$unformatted"
  exit 1
fi

step "go vet"
go vet ./...

step "go test"
# Dummy credentials: no test may reach AWS; every endpoint is on 127.0.0.1.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-central-1
export AWS_EC2_METADATA_DISABLED=true
export DAYONE_REQUIRE_BROWSER=1
go test -count=1 -timeout 20m ./...
