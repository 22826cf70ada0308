#!/usr/bin/env bash
# Makes sure Debian's `chromium` is there for the rehearsal report's browser test
# (test/integration/rehearsal/rehearsal-report.browser.test.ts). Quiet and instant when it already is;
# as root with apt-get (CI) it installs the Debian package; elsewhere it says the test will be
# NOT RUN and how to install it. Nothing here, nor in the tests, ever downloads a browser of its own.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${KIRO_CHROMIUM_PATH:-}" ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the report's browser test" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }; then
    echo "ensure-chromium: apt-get could not install chromium; see the output of 'apt-get install -y chromium'." >&2
    exit 1
  fi
  exit 0
fi

cat >&2 <<MSG
ensure-chromium: no chromium on the PATH and no root/apt-get to install it; the report's browser test
  will be NOT RUN. Install it with "sudo apt-get install -y chromium", or point KIRO_CHROMIUM_PATH at a
  Chromium or Chrome executable.
MSG
