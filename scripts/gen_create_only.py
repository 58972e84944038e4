"""Regenerate infra/engine/create_only.json: the properties Azure's REST API specs mark create-only
for each azure-native type, at the API version the locked SDK uses for it.

ARM describes a property that can be set when a resource is created but not changed after with
`x-ms-mutability` listing "create" without "update" (autorest's extension reference,
github.com/Azure/autorest/blob/main/docs/extensions/readme.md#x-ms-mutability). A change to one is
a new resource: azure-native plans a replacement (its schema marks such inputs replaceOnChanges).

For every type in infra/engine/arm_types.json (its REST path and API version, from the SDK), the
generator finds in a directory of Azure/azure-rest-api-specs Swagger files (a sparse checkout at a
commit) the file whose `info.version` is that API version and which has a PUT on that path, takes
the PUT's body schema and walks it: `$ref` (in the file or a file beside it), `allOf`,
`x-ms-client-flatten` (a flattened object's properties are inputs at its own level, as the SDK
names them: `properties.enabledProtocols` is the input `enabledProtocols`), nested objects
(`networkProfile.podCidr`), array items (`agentPoolProfiles[*].vmSize`) and a polymorphic
schema's subtypes in its file (`discriminator`). Read-only properties
are no inputs and are skipped; below a create-only property nothing more is listed (a change under
it changes it).

`python scripts/gen_create_only.py --specs DIR --spec-commit C [--file-commit PATH=C ...]` writes
the data, each type with the spec files it was read from (path@commit); `--check --specs DIR`
exits 1 when the committed data is not what DIR says; `--check` alone when it was derived for API
versions the SDK no longer uses; `--sparse-checkout` prints the patterns of the spec files the
plans' types need (the weekly workflow, .github/workflows/arm-types.yml, checks them out).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "infra" / "engine" / "create_only.json"
ARM_TYPES = ROOT / "infra" / "engine" / "arm_types.json"
SPEC_REPOSITORY = "Azure/azure-rest-api-specs"
_PARAMETER = re.compile(r"\{[^}]+\}")
_PROVIDERS = "/providers/"


class SpecError(Exception):
    """A spec file that cannot be read or a reference that leads nowhere."""


def _route(path: str) -> str:
    """A REST path with its parameters unnamed and its case folded: the specs and the SDK name
    parameters differently (`{publicIPAddressName}`, `{publicIpAddressName}`) and ARM paths are
    case-insensitive (`resourcegroups`); an extension resource's path starts with its scope,
    with or without a slash."""
    return _PARAMETER.sub("{}", path).strip("/").lower()


class Specs:
    """The Swagger files under a directory, parsed once each; `read` collects the files a walk
    followed a `$ref` into."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, dict[str, Any]] = {}
        self.read: set[Path] = set()

    def load(self, path: Path) -> dict[str, Any]:
        path = path.resolve()
        if path not in self._files:
            try:
                self._files[path] = json.loads(path.read_text(encoding="utf-8"))
            except OSError as error:
                raise SpecError(f"{self.relative(path)}: {error.strerror}") from None
            except ValueError as error:
                raise SpecError(f"{self.relative(path)}: not JSON ({error})") from None
        return self._files[path]

    def relative(self, path: Path) -> str:
        path = path.resolve()
        return (
            path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        )

    def operations(self) -> Iterator[tuple[Path, str, str, dict[str, Any]]]:
        """(file, api version, route, PUT operation) of every PUT in the directory."""
        for path in sorted(self.root.rglob("*.json")):
            if "examples" in path.relative_to(self.root).parts:
                continue
            spec = self.load(path)
            paths = spec.get("paths") if isinstance(spec, dict) else None
            if not isinstance(paths, dict):
                continue
            version = str(spec.get("info", {}).get("version", ""))
            for route, item in paths.items():
                if isinstance(item, dict) and isinstance(item.get("put"), dict):
                    yield path, version, _route(route), item["put"]

    def resolve(self, node: dict[str, Any], base: Path) -> tuple[dict[str, Any], Path]:
        """Follow `$ref` (`#/definitions/X`, `other.json#/definitions/X`) to what it names; the
        referring object's own keys (x-ms-mutability, readOnly, x-ms-client-flatten) win."""
        seen: set[tuple[Path, str]] = set()
        own = {k: v for k, v in node.items() if k != "$ref"}
        while "$ref" in node:
            target, _, pointer = str(node["$ref"]).partition("#")
            file = (base.parent / target).resolve() if target else base.resolve()
            if (file, pointer) in seen:
                raise SpecError(f"{self.relative(base)}: $ref cycle at {node['$ref']}")
            seen.add((file, pointer))
            found: Any = self.load(file)
            self.read.add(file)
            for part in filter(None, pointer.split("/")):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(found, dict) or part not in found:
                    raise SpecError(f"{self.relative(base)}: $ref {node['$ref']} leads nowhere")
                found = found[part]
            if not isinstance(found, dict):
                raise SpecError(f"{self.relative(base)}: $ref {node['$ref']} is not an object")
            node, base = found, file
        return {**node, **own}, base


def _mutability_create_only(schema: dict[str, Any]) -> bool:
    mutability = schema.get("x-ms-mutability")
    return isinstance(mutability, list) and "create" in mutability and "update" not in mutability


def _properties(
    specs: Specs, schema: dict[str, Any], base: Path, trail: tuple[tuple[Path, str], ...]
) -> Iterator[tuple[str, dict[str, Any], Path]]:
    """The (name, property schema, file) of an object schema and of everything it is `allOf`."""
    for parent in schema.get("allOf", []):
        resolved, file = specs.resolve(parent, base)
        key = (file, json.dumps(parent, sort_keys=True))
        if key not in trail:
            yield from _properties(specs, resolved, file, (*trail, key))
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            yield name, prop, base


def _subtypes(
    specs: Specs, schema: dict[str, Any], prop: dict[str, Any], file: Path
) -> list[dict[str, Any]]:
    """A polymorphic schema's (`discriminator`) subtypes in its own file: the definitions that
    are `allOf` it (a backup policy's AzureFileShareProtectionPolicy). The SDK takes any of them,
    so a create-only property of each is an input path."""
    if "discriminator" not in schema or "$ref" not in prop:
        return []
    name = str(prop["$ref"]).rsplit("/", 1)[-1]
    definitions = specs.load(file).get("definitions", {})
    return [
        definition
        for definition in definitions.values()
        if isinstance(definition, dict)
        and any(
            str(parent.get("$ref", "")).endswith(f"/definitions/{name}")
            for parent in definition.get("allOf", [])
        )
    ]


def create_only_paths(
    specs: Specs,
    schema: dict[str, Any],
    base: Path,
    prefix: str = "",
    trail: tuple[str, ...] = (),
) -> list[str]:
    """Every input path under an object schema whose property is create-only."""
    out: list[str] = []
    for name, prop, file in _properties(specs, schema, base, ()):
        if prop.get("readOnly") is True:  # no input; what it refers to need not be at hand
            continue
        resolved, target = specs.resolve(prop, file)
        if resolved.get("readOnly") is True:
            continue
        if _mutability_create_only(resolved):
            out.append(prefix + name)
            continue
        # A recursive schema (an error's details, a policy's nested rules) is walked once.
        identity = f"{file}#{prop['$ref']}" if "$ref" in prop else ""
        if identity and identity in trail:
            continue
        deeper = (*trail, identity) if identity else trail
        if resolved.get("properties") or resolved.get("allOf"):
            inner = prefix if resolved.get("x-ms-client-flatten") is True else f"{prefix}{name}."
            for variant in [resolved, *_subtypes(specs, resolved, prop, target)]:
                out += create_only_paths(specs, variant, target, inner, deeper)
        elif isinstance(resolved.get("items"), dict):
            items = resolved["items"]
            if "$ref" in items and f"{target}#{items['$ref']}" in trail:
                continue
            if "$ref" in items:
                deeper = (*deeper, f"{target}#{items['$ref']}")
            item, item_file = specs.resolve(items, target)
            if _mutability_create_only(item):
                out.append(f"{prefix}{name}[*]")
            elif item.get("properties") or item.get("allOf"):
                out += create_only_paths(specs, item, item_file, f"{prefix}{name}[*].", deeper)
    return out


def _body_schema(
    specs: Specs, operation: dict[str, Any], file: Path
) -> tuple[dict[str, Any], Path] | None:
    for parameter in operation.get("parameters", []):
        resolved, where = specs.resolve(parameter, file)
        if resolved.get("in") == "body" and isinstance(resolved.get("schema"), dict):
            return specs.resolve(resolved["schema"], where)
    return None


def _arm_types() -> dict[str, dict[str, Any]]:
    types: dict[str, dict[str, Any]] = json.loads(ARM_TYPES.read_text())["types"]
    return types


def build(root: Path, commits: dict[str, str], default_commit: str) -> dict[str, Any]:
    specs = Specs(root)
    puts: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
    for file, version, route, operation in specs.operations():
        puts.setdefault((version, route), (file, operation))

    def source(path: Path) -> str:
        relative = specs.relative(path)
        return f"{relative}@{commits.get(relative, default_commit)}"

    types: dict[str, Any] = {}
    for token, entry in sorted(_arm_types().items()):
        found = puts.get((entry["apiVersion"], _route(entry["path"])))
        if found is None:
            continue
        file, operation = found
        body = _body_schema(specs, operation, file)
        if body is None:
            continue
        specs.read.clear()
        paths = create_only_paths(specs, *body)
        types[token] = {
            "apiVersion": entry["apiVersion"],
            "spec": source(file),
            "alsoRead": sorted(source(p) for p in specs.read if p != file.resolve()),
            "createOnly": sorted(set(paths)),
        }
    return {
        "generatedBy": "scripts/gen_create_only.py",
        "specRepository": SPEC_REPOSITORY,
        "types": types,
    }


def namespace(path: str) -> str:
    """The resource provider namespace of a REST path (`Microsoft.Resources` for a group)."""
    if _PROVIDERS not in path:
        return "Microsoft.Resources"
    return path.rsplit(_PROVIDERS, 1)[1].split("/")[0]


def sparse_patterns() -> list[str]:
    """Non-cone sparse-checkout patterns of the spec files the data's types need: each
    namespace's Swagger files of each API version (`examples/` left out: `*` stops at a `/`),
    and the common types they refer to."""
    wanted = {(namespace(e["path"]), e["apiVersion"]) for e in _arm_types().values()}
    return [
        "specification/common-types/resource-management/",
        *(
            f"specification/*/resource-manager/{ns}/**/{version}/*.json"
            for ns, version in sorted(wanted)
        ),
    ]


def check(root: Path | None) -> list[str]:
    data = json.loads(DATA.read_text())
    problems = []
    arm = _arm_types()
    for token, entry in data["types"].items():
        if token not in arm:
            problems.append(f"{token}: no longer in {ARM_TYPES.relative_to(ROOT)}")
        elif arm[token]["apiVersion"] != entry["apiVersion"]:
            problems.append(
                f"{token}: derived for API version {entry['apiVersion']}, the SDK uses "
                f"{arm[token]['apiVersion']}: run scripts/gen_create_only.py on the specs"
            )
    if root is not None and not problems:
        commits = {}
        for entry in data["types"].values():
            for spec in [entry["spec"], *entry["alsoRead"]]:
                path, _, commit = spec.rpartition("@")
                commits[path] = commit
        fresh = build(root, commits, "unknown")
        for token in sorted(set(fresh["types"]) | set(data["types"])):
            if fresh["types"].get(token) != data["types"].get(token):
                problems.append(
                    f"{token}: {DATA.relative_to(ROOT)} differs from what {root} says: "
                    "run scripts/gen_create_only.py"
                )
    return problems


def _file_commit(value: str) -> tuple[str, str]:
    path, sep, commit = value.partition("=")
    if not sep or not path or not commit:
        raise argparse.ArgumentTypeError(f"{value!r} is not PATH=COMMIT")
    return path, commit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, help="a directory holding specification/...")
    parser.add_argument("--spec-commit", help=f"the {SPEC_REPOSITORY} commit the files are at")
    parser.add_argument(
        "--file-commit",
        type=_file_commit,
        action="append",
        default=[],
        metavar="PATH=COMMIT",
        help="the commit of one file, where the files come from several",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the data is stale")
    parser.add_argument(
        "--sparse-checkout", action="store_true", help="print the spec files' checkout patterns"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.sparse_checkout:
        print("\n".join(sparse_patterns()))
        return 0
    if args.specs is not None and not (args.specs / "specification").is_dir():
        parser.error(f"--specs {args.specs}: no specification/ directory in it")
    try:
        if args.check:
            problems = check(args.specs)
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        if args.specs is None or not (args.spec_commit or args.file_commit):
            parser.error("--specs and --spec-commit (or --file-commit) are required to regenerate")
        data = build(args.specs, dict(args.file_commit), args.spec_commit or "unknown")
    except SpecError as error:
        print(f"--specs {args.specs}: {error}", file=sys.stderr)
        return 1
    DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {DATA.relative_to(ROOT)}: {len(data['types'])} types")
    return 0


if __name__ == "__main__":
    sys.exit(main())
