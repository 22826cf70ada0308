#!/usr/bin/env bash
# Synthesizes the CDK app at two git revisions and compares every template in their cdk.out, with
# the Lambda assets' hashes (and what is derived from them: S3 keys, asset paths, the logical ids of
# Lambda versions) normalised away. Proves that a refactoring leaves what AWS deploys unchanged.
#
# Usage: scripts/compare-templates.sh [BASE_REV] [HEAD_REV]   (defaults: main, the working tree)
# Each revision is unpacked with `git archive` into a temporary directory (no worktree, the repository
# is left alone) and synthesized with this checkout's node_modules (symlinked).
# Prints "templates identical apart from asset hashes" and exits 0, or the differences and exits 1.
set -euo pipefail

repo=$(git rev-parse --show-toplevel)
base=${1:-main}
head=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unpack() { # <revision or empty for the working tree> <dir>
  mkdir -p "$2"
  if [ -z "$1" ]; then
    # The working tree as it is, tracked and untracked files alike, without ignored ones.
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | tar --null -T - -cf -) | tar -x -C "$2"
  else
    git -C "$repo" archive "$(git -C "$repo" rev-parse --verify "$1^{commit}")" | tar -x -C "$2"
  fi
  ln -s "$repo/node_modules" "$2/node_modules"
}

synth() { # <dir> <label>
  echo "synthesizing $2 ..." >&2
  (cd "$1" && ./node_modules/.bin/tsx infrastructure/bin/synth.ts >"$work/$2.synth.log" 2>&1) || {
    echo "synthesis of $2 failed:" >&2
    tail -30 "$work/$2.synth.log" >&2
    exit 2
  }
}

# Asset hashes are 64 hex digits (the asset's SHA-256): in S3 keys, asset paths and manifests. The
# logical id of a Lambda version (`...CurrentVersion<32 hex>`) is derived from the code's hash too.
normalise() { # <cdk.out> <dest>
  (cd "$1" && find . -name '*.template.json' | sort) | while read -r template; do
    mkdir -p "$2/$(dirname "$template")"
    sed -E 's/[0-9a-f]{64}/<asset-hash>/g; s/(CurrentVersion)[0-9A-Za-z]{8,}/\1<hash>/g' "$1/$template" >"$2/$template"
  done
}

unpack "$base" "$work/base"
unpack "$head" "$work/head"
synth "$work/base" "base ($base)"
synth "$work/head" "head (${head:-working tree})"
normalise "$work/base/cdk.out" "$work/base-normalised"
normalise "$work/head/cdk.out" "$work/head-normalised"

count=$(cd "$work/head-normalised" && find . -name '*.template.json' | wc -l)
if diff -r -u "$work/base-normalised" "$work/head-normalised" >"$work/diff.txt"; then
  echo "templates identical apart from asset hashes ($count templates, $base vs ${head:-working tree})"
else
  sed -E "s#$work/(base|head)-normalised/##g" "$work/diff.txt"
  echo "templates differ ($count templates, $base vs ${head:-working tree})" >&2
  exit 1
fi
