"""What every gradviz command does with bad input: one line on standard error, exit 2."""

from __future__ import annotations

import argparse
import sys

EXIT_BAD_INPUT = 2
EXIT_STOPPED = 1


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with status 2."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def fail(message: str, status: int = EXIT_BAD_INPUT):
    """Print one line on stderr and exit."""
    print(f"gradviz: {message}", file=sys.stderr)
    sys.exit(status)
