#!/usr/bin/env bash
# Makes sure the Python tools the checks need are on the PATH: cfn-lint (template linter) and
# moto_server (the local AWS emulator). Installs what is missing with pip, at the versions pinned in
# tools/python-requirements.txt; stops with a clear message when it cannot. Runs in CI, in `npm test`
# and in the install phase of the pipeline's Build action (CodeBuild's image has neither tool).
set -euo pipefail
requirements="$(dirname "$0")/../tools/python-requirements.txt"

pinned() { grep -E "^$1(\[[a-z]+\])?==" "$requirements"; }
missing=()
command -v cfn-lint >/dev/null 2>&1 || missing+=("$(pinned cfn-lint)")
command -v moto_server >/dev/null 2>&1 || missing+=("$(pinned moto)")

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "ensure-tools: missing ${missing[*]}; installing with pip" >&2
pip_cmd=""
if command -v pip3 >/dev/null 2>&1; then pip_cmd="pip3"; elif command -v pip >/dev/null 2>&1; then pip_cmd="pip"; fi
if [ -z "$pip_cmd" ] || ! "$pip_cmd" install --quiet "${missing[@]}"; then
  cat >&2 <<MSG
ensure-tools: could not install ${missing[*]}.
  These checks need Python 3.9+ with pip. Install them yourself, then run the command again:
    python3 -m pip install -r tools/python-requirements.txt
  (On Debian/Ubuntu: apt-get install python3-pip first; in a virtualenv, activate it first.)
MSG
  exit 1
fi
hash -r
for tool in cfn-lint moto_server; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "ensure-tools: $tool was installed but is not on the PATH; add pip's script folder (python3 -m site --user-base)/bin to PATH." >&2
    exit 1
  fi
done
