"""Generate the object registry's catalogs from Intuit's qbXML schema, or check they are current.

    python -m qwc_service.qbxml.objects.generate --schema-dir DIR [--check]

DIR holds ``qbxmlops130.xsd`` and the files it includes. Two modules come from it: the
catalog of objects and their queries (``catalog.py``) and the catalog of write requests
(``writes_catalog.py``). Without ``--check`` they are rewritten; with it, nothing is written
and the exit status is 1 when a committed module differs from what the schema gives. The
source is laid out by ``ruff format`` (a development dependency), so the committed files pass
the format check as written.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from qwc_service.qbxml.objects.build import build_catalog
from qwc_service.qbxml.objects.render import REGENERATE, render_catalog
from qwc_service.qbxml.objects.schema import ROOT_FILE, SchemaReader
from qwc_service.qbxml.objects.writes_from_schema import build_writes
from qwc_service.qbxml.objects.writes_render import render_writes

__all__ = ["CATALOG_FILE", "WRITES_FILE", "generate", "generate_writes", "main"]

CATALOG_FILE = Path(__file__).with_name("catalog.py")
WRITES_FILE = Path(__file__).with_name("writes_catalog.py")


def generate(schema_dir: Path, reader: SchemaReader | None = None) -> str:
    """The catalog module's source, read from the schema in ``schema_dir`` and formatted."""
    catalog = build_catalog(reader or SchemaReader(schema_dir))
    return _formatted(render_catalog(catalog))


def generate_writes(schema_dir: Path, reader: SchemaReader | None = None) -> str:
    """The writes catalog module's source, read from the schema and formatted."""
    reader = reader or SchemaReader(schema_dir)
    return _formatted(render_writes(build_writes(reader), reader.version))


def main(argv: Sequence[str] | None = None) -> int:
    """Write the catalog, or with ``--check`` compare it; the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m qwc_service.qbxml.objects.generate",
        description="Generate the qbXML object registry from Intuit's XSD.",
    )
    parser.add_argument(
        "--schema-dir", type=Path, required=True, help=f"the folder holding {ROOT_FILE}"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the catalog is not current")
    parser.add_argument("--output", type=Path, default=CATALOG_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--writes-output", type=Path, default=WRITES_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.schema_dir / ROOT_FILE).is_file():
        parser.error(f"{args.schema_dir} holds no {ROOT_FILE}")
    reader = SchemaReader(args.schema_dir)
    outputs = (
        (args.output, generate(args.schema_dir, reader)),
        (args.writes_output, generate_writes(args.schema_dir, reader)),
    )
    status = 0
    for output, source in outputs:
        if not _settle(output, source, check=args.check):
            status = 1
    return status


def _settle(output: Path, source: str, *, check: bool) -> bool:
    """Write ``source`` to ``output`` (or with ``check`` compare them); False when stale."""
    current = output.read_text(encoding="utf-8") if output.exists() else ""
    if not check:
        if source != current:
            output.write_text(source, encoding="utf-8")
        print(f"wrote {output}" if source != current else f"{output} is current")
        return True
    if source == current:
        return True
    diff = difflib.unified_diff(
        current.splitlines(), source.splitlines(), "committed", "from the schema", lineterm=""
    )
    shown = list(diff)[:40]
    print(f"{output} is not what the schema gives; regenerate with", file=sys.stderr)
    print(f"    {REGENERATE}", file=sys.stderr)
    print("\n".join(shown), file=sys.stderr)
    return False


def _formatted(source: str) -> str:
    """``source`` as ``ruff format`` lays it out in the catalog's place in the project.

    Formatting as the committed file (whatever ``--output`` says) applies the project's ruff
    settings, so the output is the same wherever it is written.
    """
    if importlib.util.find_spec("ruff") is None:
        raise RuntimeError("the generator formats with ruff: pip install -e '.[dev]'")
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(CATALOG_FILE), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=CATALOG_FILE.parent,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"ruff format failed: {completed.stderr.strip()}")
    return completed.stdout


if __name__ == "__main__":
    raise SystemExit(main())
