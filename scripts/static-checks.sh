#!/usr/bin/env bash
# The two static checks of `npm test`, side by side: the type-check (tsc) and ESLint (type-aware).
# Each is one single-threaded process that builds its own TypeScript program (ESLint's project
# service cannot reuse tsc's, nor tsc ESLint's), so on two cores running them at once takes about
# as long as the slower one instead of the sum of both. Each one's output is held back and printed
# whole when it ends, so the two never interleave; the script fails when either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!

failed=0
for check in typecheck lint; do
  if wait "${!check}"; then status=passed; else status=failed; failed=1; fi
  echo "static-checks: $check $status"
  cat "$out/$check"
done
exit "$failed"
