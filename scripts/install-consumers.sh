#!/usr/bin/env bash
# Install the consumers whose Python dependencies conflict with ours (OAK, KGX) into a venv of
# their own, so the consumer-matrix tests can run them as command-line tools on the release files.
#   usage: bash scripts/install-consumers.sh [VENV]   (default .venv-consumers)
# Idempotent: does nothing when the venv already has runoak and kgx.
set -euo pipefail
VENV=${1:-.venv-consumers}
if [ -x "$VENV/bin/runoak" ] && [ -x "$VENV/bin/kgx" ]; then
  echo "consumers: $VENV has runoak and kgx"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "oaklib>=0.6" "kgx>=2.4"
echo "consumers: installed oaklib and kgx into $VENV"
