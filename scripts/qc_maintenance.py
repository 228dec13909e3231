"""Maintainer chores of the QC rules (docs/readme/qc.md), not part of the public API.

Two steps a maintainer runs by hand, over ``calcinosis_kg.checks.qc_rules`` (a private module: it
may change with the rules, so users call ``calcinosis-kg report`` / ``check`` instead):

- ``refresh-xrefs REFERENCE_TSV``: rewrite ``queries/qc/verified-xrefs.tsv`` from the shared
  reference table (its verified CURIE rows; tests/test_qc.py checks the committed file is fresh);
- ``robot-profile DIR``: write the rules as a bundle ``robot report --profile DIR/profile.txt``
  runs unchanged.

Run: python scripts/qc_maintenance.py refresh-xrefs /work/shared/reference/external_ids.tsv
     python scripts/qc_maintenance.py robot-profile build/robot-qc
"""

from __future__ import annotations

import sys

from calcinosis_kg.checks.qc_rules import export_robot_profile, refresh_verified_xrefs
from calcinosis_kg.core.errors import CalcinosisKGError

STEPS = {"refresh-xrefs": refresh_verified_xrefs, "robot-profile": export_robot_profile}


def main(argv: list[str]) -> int:
    """Run one step; a usage line or a one-line error and exit 2 otherwise."""
    if len(argv) != 2 or argv[0] not in STEPS:
        print(f"usage: qc_maintenance.py {{{'|'.join(STEPS)}}} PATH", file=sys.stderr)
        return 2
    try:
        print(f"wrote {STEPS[argv[0]](argv[1])}")
    except CalcinosisKGError as exc:
        print(f"qc_maintenance.py: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
