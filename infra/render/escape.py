"""Text a pull request controls (names, tags, config values, policy messages) made inert for
each format the tool writes: one function per format, used by every renderer of it.

Markdown here is GitHub's: inside a table, inside or outside a code span, where raw HTML
(`<details>`), `@mentions`, `#refs` and links are live.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL: ESC starts a terminal escape sequence, and XML 1.0 has no way
# to spell most of them at all (a JUnit file holding one does not parse).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def terminal(text: str) -> str:
    """For a terminal: control characters (ESC above all) shown as `\\xNN`, never sent."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def xml_text(text: str) -> str:
    """For XML 1.0 character data (ElementTree escapes &, < and >): the characters XML cannot
    hold at all, shown as `\\xNN`."""
    return terminal(text)


def one_line(text: str) -> str:
    return terminal(_LINE_BREAKS.sub(" ", text))


def md_code(text: str) -> str:
    """An inline code span for a GitHub table cell. A backtick would end the span, so it is
    shown as `'`; `|` ends the cell even inside a span, so it is escaped; a line
    break ends the row."""
    return "`" + one_line(text).replace("`", "'").replace("|", "\\|") + "`"


def md_text(text: str) -> str:
    """Plain text in a GitHub table cell: raw HTML (`</details>`) shown as typed, a link's
    brackets escaped, an `@mention` kept from notifying (a zero-width space after the `@`),
    and the cell and row kept whole."""
    return (
        one_line(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("@", "@\u200b")
    )


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label: its quote, line breaks and HTML are shown as entities."""
    return (
        one_line(text)
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
    )
