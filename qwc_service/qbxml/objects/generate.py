"""Generate the object registry's catalog from Intuit's qbXML schema, or check it is current.

    python -m qwc_service.qbxml.objects.generate --schema-dir DIR [--check]

DIR holds ``qbxmlops130.xsd`` and the files it includes. Without ``--check`` the catalog
module is rewritten; with it, nothing is written and the exit status is 1 when the committed
catalog differs from what the schema gives. The source is laid out by ``ruff format`` (a
development dependency), so the committed file passes the format check as written.
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

__all__ = ["CATALOG_FILE", "generate", "main"]

CATALOG_FILE = Path(__file__).with_name("catalog.py")


def generate(schema_dir: Path) -> str:
    """The catalog module's source, read from the schema in ``schema_dir`` and formatted."""
    catalog = build_catalog(SchemaReader(schema_dir))
    return _formatted(render_catalog(catalog))


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
    args = parser.parse_args(argv)
    if not (args.schema_dir / ROOT_FILE).is_file():
        parser.error(f"{args.schema_dir} holds no {ROOT_FILE}")
    source = generate(args.schema_dir)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if not args.check:
        if source != current:
            args.output.write_text(source, encoding="utf-8")
        print(f"wrote {args.output}" if source != current else f"{args.output} is current")
        return 0
    if source == current:
        return 0
    diff = difflib.unified_diff(
        current.splitlines(), source.splitlines(), "committed", "from the schema", lineterm=""
    )
    shown = list(diff)[:40]
    print(f"{args.output} is not what the schema gives; regenerate with", file=sys.stderr)
    print(f"    {REGENERATE}", file=sys.stderr)
    print("\n".join(shown), file=sys.stderr)
    return 1


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
