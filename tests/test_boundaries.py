"""The architecture's boundaries, as import-linter contracts (pyproject.toml): the engine
imports no Qt; the command line sits on top and nothing imports it; no import cycles."""

from pathlib import Path


def test_the_import_contracts_hold():
    from importlinter.cli import lint_imports

    config = Path(__file__).resolve().parent.parent / "pyproject.toml"
    assert lint_imports(config_filename=str(config), no_cache=True) == 0
