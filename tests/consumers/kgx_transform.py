"""Run KGX's transformer on the release's KGX TSV files, offline (run with the consumers venv).

Why: ``kgx transform`` is how users convert the pair; its in-memory graph keys an edge by
subject-predicate-object (biolink/kgx#413), so records that share a triple merge, while the
streaming transform keeps every edge. The test compares both with the TSV. The Biolink toolkit is
made offline by ``kgx_validate`` (imported for that).

usage: python kgx_transform.py NODES.tsv EDGES.tsv OUT_DIR
  -> JSON {"stream": {"nodes": [ids], "edges": [ids]}, "graph": {...}} on stdout
"""

import json
import sys
from pathlib import Path

import kgx_validate  # noqa: F401  (patches the Biolink toolkit to the local schema)
from kgx.transformer import Transformer


def main(nodes: str, edges: str, out_dir: str) -> None:
    result = {}
    for mode, stream in (("stream", True), ("graph", False)):
        stem = Path(out_dir) / mode
        Transformer(stream=stream).transform(
            {"filename": [nodes, edges], "format": "tsv"},
            output_args={"filename": str(stem), "format": "jsonl"},
        )
        result[mode] = {
            kind: [
                json.loads(line)["id"]
                for line in Path(f"{stem}_{kind}.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            for kind in ("nodes", "edges")
        }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:4])
