"""``calcinosis-kg export``."""

from __future__ import annotations

from pathlib import Path


def test_export_command_writes_the_file_and_reports_it(
    run_cli, tmp_path: Path, tiny_ontology: Path
) -> None:
    out_path = tmp_path / "out" / "tiny.nt"
    code, out, _ = run_cli(
        "export", "--format", "nt", "--output", str(out_path), "--ontology", str(tiny_ontology)
    )
    assert code == 0
    assert out.startswith(f"wrote {out_path}")
    assert "<https://w3id.org/calcinosis-kg/CCKG_9000001>" in out_path.read_text()


def test_export_command_rejects_an_unknown_format(run_cli, tmp_path: Path) -> None:
    code, _, err = run_cli("export", "--format", "xml", "--output", str(tmp_path / "x"))
    assert code == 2 and "xml" in err
