"""The one place the version is written.

The package metadata (pyproject ``dynamic``, read by hatchling from this file), ``calcinosis-kg
--version``, the cache keys and ``info`` all take it from here; ``calcinosis_kg.__version__`` is
this value, served by the front door on first use (no module of the package imports the front
door, see ``tests/test_front_door.py``).
"""

__version__ = "0.1.0"
