#!/bin/sh
# Installs what the code task's sandbox needs on Debian or Ubuntu: bubblewrap (the sandbox) and python3 (the
# interpreter programs run with). The test project's build runs this when either is missing; run it yourself before
# `ponder eval --task code` or `ponder rl --task code` on a new machine.
set -eu
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
[ -x /usr/bin/python3 ] || missing="$missing python3"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "error: the code sandbox needs$missing; install it with: sudo apt-get install$missing" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: the code sandbox needs$missing; install it with your system's package manager" >&2
  exit 1
fi
echo "installing$missing for the code sandbox (apt-get)" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
