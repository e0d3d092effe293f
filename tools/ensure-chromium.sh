#!/usr/bin/env bash
# The example app's end-to-end test drives Debian's Chromium through playwright-core (no browser
# download: this machine reaches only the npm registry and Debian's mirrors). Installs it if missing.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no Chromium at $CHROMIUM and no apt-get to install it: install Chromium there first" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian's chromium for the example app's browser test"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
