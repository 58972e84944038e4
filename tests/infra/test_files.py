"""The limits of infra/files.py at their edges: what is still accepted, what is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.engine.files import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    load_json,
    load_yaml,
    parse_json,
    parse_yaml,
)
from infra.errors import UsageError


def _refusal(read, *args) -> str:
    with pytest.raises(UsageError) as err:
        read(*args)
    return str(err.value)


def test_yaml_and_json_nested_exactly_to_the_limit_are_read() -> None:
    assert parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH, "f") is not None
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, "f") is not None


@pytest.mark.parametrize("parse", [parse_yaml, parse_json])
def test_one_level_more_is_refused(parse) -> None:
    deeper = MAX_DEPTH + 1
    message = _refusal(parse, "[" * deeper + "]" * deeper, "f")
    assert message == f"f: line 1: nested deeper than {MAX_DEPTH} levels"


def test_brackets_and_escaped_quotes_inside_json_strings_do_not_nest() -> None:
    text = json.dumps({"a": "[" * 100 + '\\"{' * 100, "b": ""})
    assert parse_json(text, "f")["b"] == ""


def test_json_duplicate_key_is_named() -> None:
    assert _refusal(parse_json, '{"a": {"x": 1, "x": 2}}', "f") == "f: duplicate key 'x'"


def test_yaml_duplicate_key_in_a_flow_mapping_is_named_with_its_lines() -> None:
    message = _refusal(parse_yaml, "top:\n  {k: 1, k: 2}\n", "f")
    assert message == "f: duplicate key 'k' at lines 2 and 2"


def test_yaml_keys_that_only_look_alike_are_different_keys() -> None:
    assert parse_yaml("1: a\n'1': b\n", "f") == {1: "a", "1": "b"}


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1" + " " * (MAX_FILE_BYTES - 5) + "\n")
    assert load_yaml(path) == {"a": 1}
    path.write_text("a: 1" + " " * (MAX_FILE_BYTES - 4) + "\n")
    assert "larger than 1 MiB" in _refusal(load_yaml, path)


def test_a_directory_is_named_as_such(tmp_path: Path) -> None:
    message = _refusal(load_json, tmp_path)
    assert message == f"{tmp_path}: cannot read it: a directory, not a regular file"
