"""``python -m calcinosis_kg``: the same CLI as the ``calcinosis-kg`` script."""

from calcinosis_kg.cli import main

main()
