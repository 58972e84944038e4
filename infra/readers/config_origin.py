"""Which stack-file settings caused a verdict: the config keys a reviewer would change.

A pack that declares, per policy, the stack keys that can cause its verdict (`PolicyRule.
stack_keys`, `stack-key:` tags) is taken at its word: the fix names those keys, narrowed to
the ones whose value the message names (a quoted value first), else to those a quoted word
of the message starts (pool 'gpu': `gpuPool.vmSize`), and for a list key
(`volumes[].quotaGiB`) to the element the resource or message names; a policy declaring no
key gets none. For a pack that declares nothing the link is found by value (below).

A program turns config into resource inputs in its own ways, so the link is found by value:
a setting is behind a verdict when its value is both among the resource's inputs and named
in the verdict's message (policies name the offending value). Values that only name the
resource (the values of inputs called `name` or `...Name`, wherever else they recur)
identify it rather than cause anything, and
booleans, one-character values and secrets never count (`stack_file_settings` leaves
secrets out).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from infra.engine.model import Resource, Secret, StackKey, Unknown, Violation
from infra.engine.project import Setting

_TOO_COMMON = frozenset({"true", "false", "yes", "no", "on", "off", "null", "~"})
_MIN_LENGTH = 2


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _leaves(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, key)
    elif not isinstance(value, (Secret, Unknown, bool)) and value is not None:
        yield key, str(value)


def _names_the_resource(key: str) -> bool:
    return key == "name" or key.endswith("Name")


def _named_in(text: str, message: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(text)}(?![\w-])", message) is not None


def settings_behind(resource: Resource, message: str, settings: Sequence[Setting]) -> list[Setting]:
    """The stack file's settings behind a verdict on `resource`, in file order."""
    leaves = list(_leaves(resource.inputs))
    names = {text for key, text in leaves if _names_the_resource(key)}
    values = {text for _, text in leaves} - names
    return [
        s
        for s in settings
        if len(s.text) >= _MIN_LENGTH
        and s.text.lower() not in _TOO_COMMON
        and s.text in values
        and _named_in(s.text, message)
    ]


def _flat(value: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _flat(item, f"{key}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _flat(item, f"{key}[{i}]")
    elif value is not None:
        yield key, json.dumps(value) if isinstance(value, bool) else str(value)


def effective_values(config: Mapping[str, str], project: str) -> dict[str, str]:
    """The stack's config as the engine passes it (`project:key` -> text, structured values as
    JSON), flattened to stack-file keys (`gpuPool.maxCount`, `volumes[1].quotaGiB`)."""
    flat: dict[str, str] = {}
    for qualified, text in config.items():
        ns, _, key = qualified.partition(":")
        if ns != project or not key:
            continue
        value: Any = text
        if text[:1] in "[{":
            try:
                value = json.loads(text)
            except ValueError:
                value = text
        flat.update(_flat(value, key) if isinstance(value, (dict, list)) else [(key, text)])
    return flat


def _pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(key).replace(r"\[\]", r"\[\d+\]") + r"(?=$|[.\[])")


def _under(key: str, instance: str) -> bool:
    return key == instance or key.startswith((f"{instance}.", f"{instance}["))


def _quoted(text: str, message: str) -> bool:
    return f"'{text}'" in message or f'"{text}"' in message


def _element(instance: str) -> str:
    """The first list element an instance lies in (`trainingJobs[0]`), or "" for none."""
    match = re.match(r"[^\[]*\[\d+\]", instance)
    return match.group(0) if match else ""


def declared_keys_behind(
    patterns: Sequence[str],
    message: str,
    resource: Resource | None,
    values: Mapping[str, str],
) -> list[str]:
    """The stack keys, of those a policy declares, behind one of its verdicts. A key the
    program's config does not have (another program judged by the same pack) is none."""
    known = {re.split(r"[.\[]", key, maxsplit=1)[0] for key in values}
    patterns = [p for p in patterns if re.split(r"[.\[]", p, maxsplit=1)[0] in known]
    instances: list[tuple[str, str]] = []  # (pattern, instance)
    for pattern in patterns:
        # A list key stands for the key in each element the stack has (set there or not).
        head, brackets, tail = pattern.rpartition("[]")
        regex = _pattern(head + brackets)
        elements = dict.fromkeys(m.group(0) for k in values if (m := regex.match(k)))
        found = [element + tail for element in elements] if brackets else []
        instances += [(pattern, instance) for instance in found or [pattern]]

    def texts(instance: str) -> list[str]:
        return [text for key, text in values.items() if _under(key, instance) and text]

    named = [i for _, i in instances if any(_named_in(t, message) for t in texts(i))]
    quoted = [i for i in named if any(_quoted(t, message) for t in texts(i))]
    if quoted or named:
        return list(dict.fromkeys(quoted or named))
    # A quoted word that starts a key names its part of the stack: pool 'gpu' -> gpuPool.vmSize,
    # pool 'system' -> systemVmSize.
    words = {w.lower() for w in re.findall(r"'([A-Za-z]{3,})'", message)}
    labelled = [i for _, i in instances if i.lower().startswith(tuple(words))] if words else []
    if labelled:
        return list(dict.fromkeys(labelled))
    inputs = {text for _, text in _leaves(resource.inputs)} if resource else set()
    chosen: list[str] = []
    for pattern in patterns:
        mine = [i for p, i in instances if p == pattern]
        if "[]" not in pattern:
            chosen += mine
            continue
        # A list element is the resource's when its name is among the resource's inputs or
        # in the message; otherwise the key is named for any element.
        identified = [
            i
            for i in mine
            if (name := values.get(f"{_element(i)}.name"))
            and (name in inputs or _named_in(name, message))
        ]
        chosen += identified or [pattern]
    return list(dict.fromkeys(chosen))


def _line(key: str, settings: Sequence[Setting], project: str) -> int | None:
    lines = [s.line for s in settings if _under(s.key.removeprefix(f"{project}:"), key)]
    return min(lines) if lines else None


def stack_keys_behind(
    violation: Violation,
    resource: Resource | None,
    settings: Sequence[Setting],
    values: Mapping[str, str],
    project: str,
    stack_file: str,
) -> tuple[StackKey, ...]:
    """The stack-file keys (with their lines where the file sets them) a reviewer changes to
    fix `violation`: the policy's declared keys, else the settings linked by value."""
    declared = violation.rule.stack_keys if violation.rule else None
    if declared is None:
        behind = settings_behind(resource, violation.message, settings) if resource else []
        keys = [s.key.removeprefix(f"{project}:") for s in behind]
    else:
        keys = declared_keys_behind(declared, violation.message, resource, values)
    return tuple(StackKey(stack_file, key, _line(key, settings, project)) for key in keys)


def once_per_resource(violations: Sequence[Violation]) -> list[Violation]:
    """Each (pack, policy, resource) once, the distinct lines of its messages as one message:
    a policy that finds one problem in several places of a resource (a version on the cluster
    and on each pool profile) gives one verdict. (`pulumi_policy` starts each message with the
    policy's description, which so stays one line.)"""
    grouped: dict[tuple[str, str, str | None], tuple[Violation, list[str]]] = {}
    for v in violations:
        _, lines = grouped.setdefault((v.policy_pack, v.policy, v.urn), (v, []))
        lines += [line for line in v.message.splitlines() or [""] if line not in lines]
    out = []
    for first, lines in grouped.values():
        merged = Violation(
            first.policy_pack,
            first.policy,
            first.enforcement_level,
            first.urn,
            "\n".join(lines),
            first.rule,
            first.stack_keys,
        )
        out.append(merged)
    return out
