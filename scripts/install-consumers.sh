#!/usr/bin/env bash
# Install the consumers whose Python dependencies conflict with ours (OAK, KGX; PyLD for the
# JSON-LD 1.0 check) into a venv of
# their own, so the consumer-matrix tests can run them as command-line tools on the release files.
#   usage: bash scripts/install-consumers.sh [VENV]   (default .venv-consumers)
# Idempotent: does nothing when the venv already has runoak and kgx.
set -euo pipefail
VENV=${1:-.venv-consumers}
if [ -x "$VENV/bin/runoak" ] && [ -x "$VENV/bin/kgx" ] && "$VENV/bin/python" -c "import pyld" 2>/dev/null; then
  echo "consumers: $VENV has runoak, kgx and pyld"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "oaklib>=0.6" "kgx>=2.4" "PyLD>=2.0"
echo "consumers: installed oaklib, kgx and PyLD into $VENV"
