"""The README's code map is drawn from the layers contract and each package's docstring.

``python -m tests.test_codemap`` prints the map to paste into the README.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "qwc_service"

# What each part of the tree is, in the words of the README. The order of the rows (and so
# which layer may import which) comes from the layers contract in pyproject.toml.
KIND = {
    **dict.fromkeys(("cli", "soap", "api", "admin", "setup", "status"), "transport"),
    **dict.fromkeys(("demo", "serving", "wsgi", "gunicorn_conf", "app", "models"), "composition"),
    **dict.fromkeys(("qbwc", "reporting", "failures"), "use case"),
    **dict.fromkeys(
        (
            "connections",
            "sessions",
            "queue",
            "sync",
            "records",
            "payments",
            "writes",
            "webhooks",
            "audit",
            "tokens",
        ),
        "domain",
    ),
}


def layers() -> list[list[str]]:
    """The contract's layers, top first, each a list of top-level names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    return [
        [name.strip().removeprefix("qwc_service.") for name in re.split(r"[|:]", layer)]
        for layer in contract["layers"]
    ]


def top_level() -> set[str]:
    """Every package and module directly under ``qwc_service/`` (but its ``__init__``)."""
    names = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return names


def summary(name: str) -> str:
    """The first line of a package's or module's docstring."""
    path = PACKAGE / name / "__init__.py"
    if not path.is_file():
        path = PACKAGE / f"{name}.py"
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


def code_map() -> str:
    """The README's code map table."""
    rows = ["| layer | part | what it holds |", "|---|---|---|"]
    for layer in layers():
        for name in layer:
            path = f"`{name}/`" if (PACKAGE / name).is_dir() else f"`{name}.py`"
            rows.append(f"| {KIND.get(name, 'library')} | {path} | {summary(name)} |")
    return "\n".join(rows)


def test_every_part_of_the_package_has_a_layer() -> None:
    """Each top-level package and module is placed in exactly one layer of the contract."""
    placed = [name for layer in layers() for name in layer]
    assert sorted(placed) == sorted(top_level())


def test_every_part_says_what_it_holds() -> None:
    """Each top-level package and module opens with a one-line docstring."""
    assert [name for name in sorted(top_level()) if not summary(name)] == []


def test_readme_code_map_is_the_generated_one() -> None:
    """The README's table is exactly what the contract and the docstrings give."""
    readme = (ROOT / "README.md").read_text()
    assert code_map() in readme, "run `python -m tests.test_codemap` and paste its output"


if __name__ == "__main__":
    print(code_map())
