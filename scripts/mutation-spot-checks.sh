#!/usr/bin/env bash
# Mutation spot checks for the decision code's property tests (issue 15, "Done when"): flips one
# comparison at a time in decideHealth, in the history fold's event ordering and in the
# last-known-good rule, runs the property tests of that area, and reports which tests fail.
# A mutation no test catches is reported as SURVIVED and makes the script exit 1.
#
# Usage: scripts/mutation-spot-checks.sh
#   ONLY=<text>          run only the mutations whose name contains <text> (e.g. ONLY="last known good")
#   HEALTH_TESTS=, FOLD_TESTS=, LKG_TESTS=   run other property-test files (e.g. an older version)
# Every mutated file is copied first and restored on exit (also on Ctrl-C or error); the script
# refuses to start when one of them has uncommitted changes, so nothing of yours can be lost.
set -euo pipefail

repo=$(git rev-parse --show-toplevel)
cd "$repo"
backup=$(mktemp -d)
restore() {
  for path in "$backup"/*.path; do
    [ -e "$path" ] || continue
    cp "${path%.path}" "$(cat "$path")"
  done
}
trap 'restore; rm -rf "$backup"' EXIT

HEALTH=src/pipeline/domain/health/health-verdict.ts
FOLD=src/pipeline/domain/history/deployment-fold.ts
LKG=src/pipeline/domain/rollback/last-known-good.ts
HEALTH_TESTS=${HEALTH_TESTS:-test/unit/pipeline/domain/health/health-verdict.property.test.ts}
FOLD_TESTS=${FOLD_TESTS:-test/unit/pipeline/domain/history/deployment-fold.property.test.ts}
LKG_TESTS=${LKG_TESTS:-test/unit/pipeline/domain/rollback/last-known-good.property.test.ts}

# name | file | text to find (exactly once) | replacement | property tests to run
mutations=(
  "decideHealth: the bake is over at elapsed < duration, flipped to >|$HEALTH|input.elapsedSeconds < input.durationSeconds|input.elapsedSeconds > input.durationSeconds|$HEALTH_TESTS"
  "decideHealth: a fired alarm counts when critical (=== flipped to !==)|$HEALTH|.filter((name) => severities.get(name) === 'critical')|.filter((name) => severities.get(name) !== 'critical')|$HEALTH_TESTS"
  "fold ordering: state precedence among same-second events, reversed|$FOLD|const byPrecedence = eventPrecedence(left) - eventPrecedence(right);|const byPrecedence = eventPrecedence(right) - eventPrecedence(left);|$FOLD_TESTS"
  "fold ordering: time order of events, reversed|$FOLD|const byTime = Date.parse(left.at) - Date.parse(right.at);|const byTime = Date.parse(right.at) - Date.parse(left.at);|$FOLD_TESTS"
  "last known good: newer start wins (> flipped to <)|$LKG|if (byTime !== 0) return byTime > 0;|if (byTime !== 0) return byTime < 0;|$LKG_TESTS"
  "last known good: tiebreak on execution id (> flipped to <)|$LKG|return a.executionId > b.executionId;|return a.executionId < b.executionId;|$LKG_TESTS"
  "last known good: health must have passed (=== flipped to !==)|$LKG|record.environment === 'production' && record.status === 'succeeded' && record.health === 'passed'|record.environment === 'production' && record.status === 'succeeded' && record.health !== 'passed'|$LKG_TESTS"
)

for file in "$HEALTH" "$FOLD" "$LKG"; do
  if ! git diff --quiet HEAD -- "$file"; then
    echo "$file has uncommitted changes: commit or stash them first." >&2
    exit 2
  fi
  id=$(echo "$file" | tr '/' '_')
  cp "$file" "$backup/$id"
  echo "$file" >"$backup/$id.path"
done

survived=0
for mutation in "${mutations[@]}"; do
  IFS='|' read -r name file find replace tests <<<"$mutation"
  if [ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]]; then continue; fi
  id=$(echo "$file" | tr '/' '_')
  cp "$backup/$id" "$file"
  # grep -c exits 1 when it counts 0; the count itself is checked on the next line.
  count=$(grep -cF -- "$find" "$file" || true)
  if [ "$count" != 1 ]; then
    echo "MUTATION NOT APPLIED ($count matches): $name" >&2
    survived=1
    continue
  fi
  FIND="$find" REPLACE="$replace" node -e '
    const fs = require("fs");
    const [file] = process.argv.slice(1);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(process.env.FIND, () => process.env.REPLACE));
  ' "$file"
  # A killed mutation makes vitest exit 1; that is the expected outcome, judged from its output below
  # (and a run in which no test ran at all is reported as an ERROR).
  output=$(npx vitest run "$tests" --reporter=verbose 2>&1 || true)
  failed=$(printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^\s+×' | sed -E 's/^\s+×\s+//; s/ [0-9]+ms$//' || true)
  cp "$backup/$id" "$file"
  if [ -z "$failed" ] && ! printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g' | grep -qE 'Tests +[0-9]+ passed'; then
    echo "ERROR     $name: the tests did not run (see: npx vitest run $tests)"
    survived=1
  elif [ -z "$failed" ]; then
    echo "SURVIVED  $name"
    survived=1
  else
    echo "CAUGHT    $name"
    printf '%s\n' "$failed" | sed 's/^/            by: /'
  fi
done
exit "$survived"
