"""What a pull request controls (a resource's name, a tag, a config value, a policy message)
stays text in every format the tool writes (issue 26.9): no live HTML, link or @mention in the
PR comment, no broken table row or Mermaid label, no escape sequence reaching a terminal, no
JUnit file that does not parse."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from infra.compare import diff_plans
from infra.engine.model import PolicyPackInfo, Resource, StackPlan, Violation
from infra.render import escape
from infra.render.diff import render_diff_markdown
from infra.render.junit import render_junit
from infra.render.mermaid import render_mermaid
from infra.render.plan import render_markdown
from infra.render.text import render_preview_text

HOSTILE = "x`@team [link](https://evil.example) | </details><details open>\n\x1b[31mred"
TYPE = "azure-native:storage:FileShare"


def _plan(name: str, message: str = "") -> StackPlan:
    share = Resource(f"urn:pulumi:s::p::{TYPE}::{name}", TYPE, name, True, None, None, {})
    violations = [Violation("pack", "rule", "mandatory", share.urn, message)] if message else []
    packs = [PolicyPackInfo("pack", "1", [])] if message else []
    return StackPlan("p", "s", [share], {}, violations, policy_packs=packs)


def _outside_code(markdown: str) -> str:
    """What GitHub renders as Markdown and HTML: the text outside code blocks (the Mermaid
    graph's block is Mermaid's, tested on its own) and inline code spans."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL))


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    return len(re.split(r"(?<!\\)\|", row)) - 2


def test_markdown_diff_keeps_names_and_messages_inert() -> None:
    text = render_diff_markdown([diff_plans(_plan("a"), _plan(HOSTILE, HOSTILE))])
    rendered = _outside_code(text)
    assert "</details><details open>" not in rendered
    assert "&lt;/details&gt;&lt;details open&gt;" in rendered
    assert "@team" not in rendered  # a zero-width space keeps the mention from notifying
    assert "[link](" not in rendered and "\\[link\\](" in rendered  # shown, not a link
    assert "\x1b" not in text
    rows = _table_rows(text)
    header_cells = {_cells(rows[0])}
    assert all(_cells(row) in header_cells | {4, 6} for row in rows), rows


def test_markdown_preview_keeps_names_and_messages_inert() -> None:
    text = render_markdown([_plan(HOSTILE, HOSTILE)])
    rendered = _outside_code(text)
    assert "</details><details open>" not in rendered
    assert "@team" not in rendered
    assert "\x1b" not in text
    assert "`x'@\u200bteam" not in text  # inside a code span the name keeps its own spelling
    assert "`x'@team [link](https://evil.example) \\| </details><details open> \\x1b[31mred`" in (
        text
    )


def test_mermaid_labels_stay_one_quoted_label() -> None:
    graph = render_mermaid(_plan(HOSTILE))
    (label_line,) = [line for line in graph.splitlines() if "FileShare" in line]
    assert label_line.count('"') == 2, label_line
    assert "<details" not in label_line and "\n" not in label_line


def test_terminal_output_carries_no_escape_sequence() -> None:
    text = render_preview_text([_plan(HOSTILE, HOSTILE)])
    assert "\x1b" not in text
    assert "\\x1b[31mred" in text


def test_junit_with_control_characters_parses() -> None:
    document = render_junit([_plan("a", "bell \x07 and escape \x1b in a message")])
    failure = ET.fromstring(document).find(".//failure")
    assert failure is not None and "bell \\x07 and escape \\x1b" in (failure.text or "")


def test_each_helper_on_its_own() -> None:
    assert escape.terminal("a\x1b[2Jb\tc\n") == "a\\x1b[2Jb\tc\n"
    assert escape.md_code("a`b|c\nd") == "`a'b\\|c d`"
    assert escape.md_text("<b>@x [y](z) | &") == "&lt;b&gt;@\u200bx \\[y\\](z) \\| &amp;"
    assert escape.mermaid_label('a"b<c>\r\nd&') == "a#quot;b#lt;c#gt; d#amp;"
