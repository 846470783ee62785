"""Sessions shipped with gradviz (gradviz/presets/*.toml), by name."""

from __future__ import annotations

from importlib import resources

from . import session
from .config import RunConfig
from .errors import ConfigError


def names() -> list[str]:
    """Every preset's name, sorted."""
    folder = resources.files("gradviz") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def describe(name: str) -> str:
    """The preset's first comment line, without the '# '."""
    text = (resources.files("gradviz") / "presets" / f"{name}.toml").read_text("utf-8")
    return text.splitlines()[0].lstrip("# ").strip()


def load(name: str) -> RunConfig:
    """The preset's config; ConfigError naming the known presets if there is none."""
    if name not in names():
        raise ConfigError(f"preset: unknown preset {name!r} (known: {', '.join(names())})")
    text = (resources.files("gradviz") / "presets" / f"{name}.toml").read_text("utf-8")
    return session.loads(text, f"preset {name}")[0]
