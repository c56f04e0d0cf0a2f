#!/bin/sh
# Installs what the npm openai oracle (tests/oracles/openai: the npm `openai` client's tool round trip against
# `ponder serve`) needs on Debian or Ubuntu: node and npm when `node` is missing, then the oracle's pinned packages
# (`npm ci`) when its node_modules is missing. The test project's build runs this with --from-build: then a failure
# to install is reported but does not stop the build, and the oracle's test fails naming this script instead.
set -eu
oracle="$(cd "$(dirname "$0")/../tests/oracles/openai" && pwd)"
soft=0
[ "${1:-}" = "--from-build" ] && soft=1
fail() {
  echo "error: $1" >&2
  [ "$soft" -eq 1 ] && exit 0
  exit 1
}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    fail "the npm openai oracle needs node and npm; install them with: sudo apt-get install nodejs npm"
  fi
  command -v apt-get >/dev/null 2>&1 \
    || fail "the npm openai oracle needs node and npm; install them with your system's package manager"
  echo "installing nodejs npm for the npm openai oracle (apt-get)" >&2
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null \
    || fail "apt-get install nodejs npm failed"
fi
if [ ! -d "$oracle/node_modules" ]; then
  echo "installing the npm openai oracle's packages (npm ci in $oracle)" >&2
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in $oracle failed"
fi
