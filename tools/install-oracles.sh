#!/bin/sh
# Installs what the npm openai oracle (tests/oracles/openai: the npm `openai` client's tool round trip against
# `ponder serve`) needs on Debian or Ubuntu: node and npm when `node` is missing, then the oracle's pinned packages
# (`npm ci`) when its node_modules is missing. The test project's build runs this; run it yourself on a new machine.
set -eu
oracle="$(cd "$(dirname "$0")/../tests/oracles/openai" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "error: the npm openai oracle needs node and npm; install them with: sudo apt-get install nodejs npm" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: the npm openai oracle needs node and npm; install them with your system's package manager" >&2
    exit 1
  fi
  echo "installing nodejs npm for the npm openai oracle (apt-get)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d "$oracle/node_modules" ]; then
  echo "installing the npm openai oracle's packages (npm ci in $oracle)" >&2
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error)
fi
