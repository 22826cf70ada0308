#!/usr/bin/env bash
# Makes sure the Python tools the checks need are there: cfn-lint (template linter, on the PATH) and
# moto (the local AWS emulator, importable by python3: src/local/moto-server.ts runs moto's server
# with python3). Installs what is missing with python3's pip, at the versions pinned in
# tools/python-requirements.txt; stops with a clear message when it cannot. Runs in CI, in `npm test`
# and in the install phase of the pipeline's Build action (CodeBuild's image has neither tool).
set -euo pipefail
requirements="$(dirname "$0")/../tools/python-requirements.txt"

pinned() { grep -E "^$1(\[[a-z]+\])?==" "$requirements"; }
# Whether moto and the web framework of its [server] extra are installed, found without importing
# them: `import moto.server` loads Flask and moto's backends, ~1.2 s of CPU of every `npm test`
# (python3 -c pass alone is ~0.5 s under pyenv's shim). A broken install that this misses still
# fails clearly: src/local/moto-server.ts reports it when it starts the emulator.
has_moto() { python3 -c 'import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in ("moto", "flask", "flask_cors", "werkzeug")) else 1)' >/dev/null 2>&1; }
missing=()
command -v cfn-lint >/dev/null 2>&1 || missing+=("$(pinned cfn-lint)")
has_moto || missing+=("$(pinned moto)")

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "ensure-tools: missing ${missing[*]}; installing with python3 -m pip" >&2
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip install --quiet "${missing[@]}"; then
  cat >&2 <<MSG
ensure-tools: could not install ${missing[*]}.
  These checks need Python 3.9+ with pip. Install them yourself, then run the command again:
    python3 -m pip install -r tools/python-requirements.txt
  (On Debian/Ubuntu: apt-get install python3-pip first; in a virtualenv, activate it first.)
MSG
  exit 1
fi
# Under pyenv (CodeBuild's Python) a newly installed command appears on the PATH only after a rehash.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
hash -r
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "ensure-tools: cfn-lint was installed but is not on the PATH; add pip's script folder (python3 -m site --user-base)/bin to PATH." >&2
  exit 1
fi
if ! has_moto; then
  echo "ensure-tools: moto was installed but python3 cannot import it; check that python3 and its pip belong to the same Python." >&2
  exit 1
fi
