"""Sessions shipped with gradviz (gradviz/presets/*.toml), by name."""

from __future__ import annotations

from importlib import resources

from . import session
from .config import RunConfig
from .errors import ConfigError


def _folder():
    return resources.files("gradviz") / "presets"


def names() -> list[str]:
    """Every preset's name, sorted."""
    return sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml"))


def _text(name: str) -> str:
    return (_folder() / f"{name}.toml").read_text("utf-8")


def describe(name: str) -> str:
    """The preset's first comment line, without the '# '."""
    return _text(name).splitlines()[0].lstrip("# ").strip()


def load(name: str) -> RunConfig:
    """The preset's config; ConfigError naming the known presets if there is none."""
    if name not in names():
        raise ConfigError(f"preset: unknown preset {name!r} (known: {', '.join(names())})")
    return session.loads(_text(name), f"preset {name}")[0]
