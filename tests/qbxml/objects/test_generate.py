"""The committed catalog is what the generator makes of Intuit's schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwc_service.qbxml.objects import generate, names
from qwc_service.qbxml.objects.build import SchemaMismatch, build_catalog
from qwc_service.qbxml.objects.schema import SchemaReader


def test_the_committed_catalog_is_current(qbxml_schema_dir: Path) -> None:
    """``--check`` passes: nobody edited the catalog by hand or forgot to regenerate it."""
    assert generate.main(["--schema-dir", str(qbxml_schema_dir), "--check"]) == 0


def test_check_fails_on_a_stale_catalog(
    qbxml_schema_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A catalog that differs from the schema's makes ``--check`` exit 1 and say how to fix it."""
    stale = tmp_path / "catalog.py"
    current = generate.CATALOG_FILE.read_text(encoding="utf-8")
    stale.write_text(current.replace('"Credit memo"', '"Credit note"'), encoding="utf-8")
    args = ["--schema-dir", str(qbxml_schema_dir), "--output", str(stale)]
    assert generate.main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert "python -m qwc_service.qbxml.objects.generate" in err
    assert '-        label="Credit note",' in err


def test_check_fails_on_a_stale_writes_catalog(
    qbxml_schema_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A writes catalog that differs from the schema's makes ``--check`` exit 1 too."""
    stale = tmp_path / "writes_catalog.py"
    current = generate.WRITES_FILE.read_text(encoding="utf-8")
    stale.write_text(current.replace('"ReceivePaymentAdd"', '"PaymentAdd"'), encoding="utf-8")
    args = ["--schema-dir", str(qbxml_schema_dir), "--writes-output", str(stale)]
    assert generate.main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{stale} is not what the schema gives" in err
    assert "python -m qwc_service.qbxml.objects.generate" in err


def test_generating_writes_the_catalog(qbxml_schema_dir: Path, tmp_path: Path) -> None:
    """Without ``--check`` the generator writes both modules, byte for byte the committed ones."""
    target = tmp_path / "catalog.py"
    writes = tmp_path / "writes_catalog.py"
    args = ["--schema-dir", str(qbxml_schema_dir), "--output", str(target)]
    assert generate.main([*args, "--writes-output", str(writes)]) == 0
    assert target.read_text(encoding="utf-8") == generate.CATALOG_FILE.read_text(encoding="utf-8")
    assert writes.read_text(encoding="utf-8") == generate.WRITES_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("module", [generate.CATALOG_FILE, generate.WRITES_FILE])
def test_the_header_says_it_is_generated_and_how(module: Path) -> None:
    """Each module names its source, its schema version and the command that regenerates it."""
    head = module.read_text(encoding="utf-8")[:800]
    assert "GENERATED from Intuit's qbXML 13.0 schema" in head
    assert "do not edit" in head
    assert "python -m qwc_service.qbxml.objects.generate --schema-dir DIR" in head


def test_a_query_neither_covered_nor_left_out_stops_the_generator(
    qbxml_schema_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query of the schema names.py forgets about is an error, not a silent omission."""
    left_out = dict(names.LEFT_OUT)
    del left_out["BarCodeQueryRq"]
    monkeypatch.setattr(names, "LEFT_OUT", left_out)
    with pytest.raises(SchemaMismatch, match="BarCodeQueryRq"):
        build_catalog(SchemaReader(qbxml_schema_dir))


def test_a_missing_schema_folder_is_a_usage_error(tmp_path: Path) -> None:
    """Pointing the generator at a folder without the XSD exits with a usage error."""
    with pytest.raises(SystemExit) as exited:
        generate.main(["--schema-dir", str(tmp_path), "--check"])
    assert exited.value.code == 2
