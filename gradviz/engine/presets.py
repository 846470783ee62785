"""Sessions shipped with gradviz, by name: presets (gradviz/presets/*.toml), runs to
reproduce, and lessons (gradviz/lessons/*.toml), runs to teach with, whose [app.lesson]
table holds a question asked before the run and an explanation shown after it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from . import session
from .config import RunConfig
from .errors import ConfigError


class Shelf:
    """The .toml sessions in one of gradviz's folders."""

    def __init__(self, folder: str, kind: str):
        self.folder, self.kind = folder, kind

    def names(self) -> list[str]:
        """Every session's name, sorted."""
        folder = resources.files("gradviz") / self.folder
        return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))

    def text(self, name: str) -> str:
        if name not in self.names():
            raise ConfigError(f"{self.kind}: unknown {self.kind} {name!r} (known: {', '.join(self.names())})")
        return (resources.files("gradviz") / self.folder / f"{name}.toml").read_text("utf-8")

    def describe(self, name: str) -> str:
        """The session's first comment line, without the '# '."""
        return self.text(name).splitlines()[0].lstrip("# ").strip()

    def load(self, name: str) -> tuple[RunConfig, dict]:
        """(config, [app] table); ConfigError naming the known ones if there is none."""
        return session.loads(self.text(name), f"{self.kind} {name}")


PRESETS = Shelf("presets", "preset")
LESSONS = Shelf("lessons", "lesson")


def names() -> list[str]:
    return PRESETS.names()


def describe(name: str) -> str:
    return PRESETS.describe(name)


def load(name: str) -> RunConfig:
    return PRESETS.load(name)[0]


@dataclass(frozen=True)
class Lesson:
    name: str
    order: int          # where it comes in the course
    title: str
    question: str       # asked before the run
    explanation: str    # shown once it has run config.steps steps
    config: RunConfig


def lesson(name: str) -> Lesson:
    """A lesson by name, its texts checked."""
    config, app = LESSONS.load(name)
    texts = app.get("lesson")
    if not isinstance(texts, dict) or not all(
            isinstance(texts.get(key), str) and texts[key].strip()
            for key in ("title", "question", "explanation")):
        raise ConfigError(f"lesson {name}: [app.lesson] needs a title, a question and an explanation")
    order = texts.get("order", 99)
    return Lesson(name, order if isinstance(order, int) else 99, texts["title"].strip(),
                  " ".join(texts["question"].split()), " ".join(texts["explanation"].split()),
                  config)


def lessons() -> list[Lesson]:
    """Every lesson, in the course's order."""
    return sorted((lesson(name) for name in LESSONS.names()), key=lambda item: (item.order, item.name))
