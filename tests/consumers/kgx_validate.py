"""Run KGX's validator on the release's KGX TSV files, offline (run with the consumers venv).

Why a script: KGX conflicts with our dependencies, so it lives in ``.venv-consumers`` and the test
runs this file there. KGX builds a Biolink toolkit at import time from a remote URL; here it is
pointed at the ``biolink-model`` package's own schema (no network). The CCKG prefix comes from the
release's shipped flat prefix map (``calcinosis-kg.prefixes.json``), as the release guide tells
users to do; a JSON-LD context (``{"@context": …}``, plain string values) is read too.

usage: python kgx_validate.py NODES.tsv EDGES.tsv PREFIXES.json
  -> JSON {"errors": [...]} on stdout
"""

import importlib.util
import json
import sys
from pathlib import Path

import bmt.toolkit

_spec = importlib.util.find_spec("biolink_model")  # a namespace package: no __file__
assert _spec is not None and _spec.submodule_search_locations
SCHEMA = str(Path(list(_spec.submodule_search_locations)[0]) / "schema" / "biolink_model.yaml")
_init = bmt.toolkit.Toolkit.__init__


def _offline_init(self, schema=None, predicate_map=None, **kwargs):  # type: ignore
    empty = {"predicate mappings": []}
    _init(self, SCHEMA, predicate_map if predicate_map is not None else empty, **kwargs)


bmt.toolkit.Toolkit.__init__ = _offline_init  # type: ignore[method-assign]

import kgx.config  # noqa: E402

# the Biolink JSON-LD context, also fetched remotely by default: the package's own prefix map
_LOCAL = Path(list(_spec.submodule_search_locations)[0])
kgx.config.jsonld_context_map["biolink"] = json.loads(
    (_LOCAL / "prefixmaps" / "biolink_model_prefix_map.json").read_text(encoding="utf-8")
)

from kgx.transformer import Transformer  # noqa: E402
from kgx.validator import Validator  # noqa: E402


def main(nodes: str, edges: str, context: str) -> None:
    data = json.loads(Path(context).read_text(encoding="utf-8"))
    prefixes = data.get("@context", data)
    validator = Validator()
    validator.prefix_manager.update_prefix_map(prefixes)
    validator.prefixes.update(prefixes)  # the set `validate` checks CURIE prefixes against
    transformer = Transformer(stream=True)
    transformer.transform(
        {"filename": [nodes, edges], "format": "tsv"},
        output_args={"format": "null"},
        inspector=validator,
    )
    errors = []
    for level, by_type in validator.get_errors().items():
        for error_type, by_message in by_type.items():
            for message, ids in by_message.items():
                errors.append(
                    {
                        "level": str(level),
                        "type": str(error_type),
                        "message": message,
                        "count": len(ids),
                    }
                )
    json.dump({"errors": errors}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:4])
