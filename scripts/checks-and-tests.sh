#!/usr/bin/env bash
# `npm test` after the tool check: the static checks (scripts/static-checks.ts: the type-check and
# the type-aware ESLint over one TypeScript program, one process) beside `vitest run --coverage`.
# On two cores Vitest's two workers leave about a tenth of the CPU idle (waiting on the emulators,
# the synthesis and other child processes) and the static checks are one single-threaded process,
# so the pair costs less wall time than the one after the other (docs/fast-feedback.md has the
# measurements). The checks' output is held back and printed whole after Vitest's, so the two never
# interleave; the script fails when either fails. Arguments go to Vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

npx tsx scripts/static-checks.ts >"$out" 2>&1 &
checks=$!
npx vitest run --coverage "$@"
vitest=$?
wait "$checks"
static=$?

cat "$out"
echo "npm test: static checks exit $static, vitest exit $vitest"
[ "$static" -eq 0 ] && [ "$vitest" -eq 0 ]
