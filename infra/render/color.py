"""ANSI colour for the text outputs, as `pulumi` colours its own: green creates and passes,
yellow updates and warnings, red deletions, replacements and failures. Whether to colour at
all is the caller's choice (`use_color`); the renderers paint through a `Paint`."""

from __future__ import annotations

import os
from typing import TextIO

GREEN, RED, YELLOW, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[0m"


def use_color(choice: str, stream: TextIO) -> bool:
    """`--color`: `always`, `never`, or `auto`: a terminal, unless NO_COLOR is set to
    anything but "" (https://no-color.org: a command-line flag overrides it)."""
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and stream.isatty()


class Paint:
    """`paint(GREEN, text)`: the text in that colour when colour is on, else as it is."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.on and text else text
