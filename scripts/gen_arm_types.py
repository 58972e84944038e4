"""Regenerate infra/engine/arm_types.json: where azure-native resources live in ARM, and which
changes make Azure (through azure-native) or Kubernetes (through pulumi-kubernetes) replace one.

For each azure-native type the data holds its REST path template (path parameters named as the
SDK names the inputs), the REST API version the locked SDK uses, whether the resource is tracked
(has a `location`), and the property names azure-native forces a replacement on. Sources:

- the installed pulumi-azure-native SDK (the version pinned in requirements.lock): every type
  token, the API version of each (its docstring: "Uses Azure REST API version ..."), and whether
  it takes a `location` input. A tracked resource's location is create-only in ARM (ARM RPC
  guideline RPC-Put-V1-14, "LocationMustHaveXmsMutability": x-ms-mutability [read, create]);
- pulumi-azure-native's `versions/v3.yaml` (`--azure-native-versions`), generated from the Azure
  REST API specs at the SDK's tag: each resource's PUT path (ResourceUri) and API version, for
  every type. Without it, the paths come from REST_PATHS below (learn.microsoft.com/rest/api,
  "Create Or Update" of each type);
- pulumi-azure-native's `provider/pkg/gen/replacement.go` (`--replacement-go`): `forceNewMap`,
  the property names the provider replaces on beyond the specs' x-ms-mutability
  (e.g. ManagedCluster's networkProfile.serviceCidr/podCidr, pulumi-azure-native#4771), and
  `noForceNewMap`, the names it stopped replacing on;
- pulumi-kubernetes' `provider/pkg/provider/diff.go` (`--kubernetes-diff-go`): `forceNew`, the
  fields whose change replaces an object, per group/version/kind, plus `.metadata.name` and
  `.metadata.namespace` for every kind; and the fields the Kubernetes API itself refuses to
  change (KUBERNETES_IMMUTABLE below), which pulumi-kubernetes meets as a failed update.

`python scripts/gen_arm_types.py --replacement-go F --kubernetes-diff-go F [--azure-native-versions
F] --azure-native-commit C --kubernetes-commit C` rewrites the data; `--check` re-derives what the
installed SDK says (versions, API versions, tracked) and exits 1 when the committed data differs,
e.g. after the SDK was bumped without regenerating (tests/infra/test_arm_types.py runs it).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "infra" / "engine" / "arm_types.json"
LOCK = ROOT / "requirements.lock"

_GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_STORAGE = f"{_GROUP}/providers/Microsoft.Storage/storageAccounts/{{accountName}}"
_CLUSTER = f"{_GROUP}/providers/Microsoft.ContainerService/managedClusters/{{resourceName}}"
_VNET = f"{_GROUP}/providers/Microsoft.Network/virtualNetworks/{{virtualNetworkName}}"
_ENDPOINT = f"{_GROUP}/providers/Microsoft.Network/privateEndpoints/{{privateEndpointName}}"
_ZONE = f"{_GROUP}/providers/Microsoft.Network/privateDnsZones/{{privateZoneName}}"
_VAULT = f"{_GROUP}/providers/Microsoft.KeyVault/vaults/{{vaultName}}"
_BACKUP_VAULT = f"{_GROUP}/providers/Microsoft.RecoveryServices/vaults/{{vaultName}}"
_BACKUP_CONTAINER = (
    f"{_BACKUP_VAULT}/backupFabrics/{{fabricName}}/protectionContainers/{{containerName}}"
)
_IDENTITY = f"{_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{resourceName}}"

# The REST paths used when pulumi-azure-native's versions/v3.yaml is not at hand (its repository
# is too large to bring to an offline machine): each type's "Create Or Update" operation in the
# REST API reference (learn.microsoft.com/rest/api/<service>), parameters named as the SDK's
# inputs. `--azure-native-versions` replaces them with the paths of every type.
REST_PATHS: dict[str, str] = {
    "azure-native:resources:ResourceGroup": _GROUP,
    "azure-native:storage:StorageAccount": _STORAGE,
    "azure-native:storage:FileServiceProperties": f"{_STORAGE}/fileServices/{{fileServicesName}}",
    "azure-native:storage:FileShare": f"{_STORAGE}/fileServices/default/shares/{{shareName}}",
    "azure-native:storage:BlobServiceProperties": f"{_STORAGE}/blobServices/{{blobServicesName}}",
    "azure-native:storage:BlobContainer": f"{_STORAGE}/blobServices/default/containers/"
    "{containerName}",
    "azure-native:authorization:ManagementLockByScope": (
        "{scope}/providers/Microsoft.Authorization/locks/{lockName}"
    ),
    "azure-native:authorization:RoleAssignment": (
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"
    ),
    "azure-native:authorization:RoleDefinition": (
        "{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"
    ),
    "azure-native:keyvault:Vault": _VAULT,
    "azure-native:keyvault:Key": f"{_VAULT}/keys/{{keyName}}",
    "azure-native:containerservice:ManagedCluster": _CLUSTER,
    "azure-native:containerservice:AgentPool": f"{_CLUSTER}/agentPools/{{agentPoolName}}",
    "azure-native:containerservice:MaintenanceConfiguration": (
        f"{_CLUSTER}/maintenanceConfigurations/{{configName}}"
    ),
    "azure-native:network:VirtualNetwork": _VNET,
    "azure-native:network:Subnet": f"{_VNET}/subnets/{{subnetName}}",
    "azure-native:network:NetworkSecurityGroup": (
        f"{_GROUP}/providers/Microsoft.Network/networkSecurityGroups/{{networkSecurityGroupName}}"
    ),
    # learn.microsoft.com/rest/api/virtualnetwork/public-ip-addresses/create-or-update
    "azure-native:network:PublicIPAddress": (
        f"{_GROUP}/providers/Microsoft.Network/publicIPAddresses/{{publicIpAddressName}}"
    ),
    "azure-native:network:PrivateEndpoint": _ENDPOINT,
    "azure-native:network:PrivateDnsZoneGroup": (
        f"{_ENDPOINT}/privateDnsZoneGroups/{{privateDnsZoneGroupName}}"
    ),
    "azure-native:privatedns:PrivateZone": _ZONE,
    "azure-native:privatedns:VirtualNetworkLink": (
        f"{_ZONE}/virtualNetworkLinks/{{virtualNetworkLinkName}}"
    ),
    "azure-native:recoveryservices:Vault": _BACKUP_VAULT,
    "azure-native:recoveryservices:ProtectionPolicy": (
        f"{_BACKUP_VAULT}/backupPolicies/{{policyName}}"
    ),
    "azure-native:recoveryservices:ProtectionContainer": _BACKUP_CONTAINER,
    "azure-native:recoveryservices:ProtectedItem": (
        f"{_BACKUP_CONTAINER}/protectedItems/{{protectedItemName}}"
    ),
    "azure-native:managedidentity:UserAssignedIdentity": _IDENTITY,
    "azure-native:managedidentity:FederatedIdentityCredential": (
        f"{_IDENTITY}/federatedIdentityCredentials/{{federatedIdentityCredentialResourceName}}"
    ),
    "azure-native:operationalinsights:Workspace": (
        f"{_GROUP}/providers/Microsoft.OperationalInsights/workspaces/{{workspaceName}}"
    ),
    "azure-native:monitor:AzureMonitorWorkspace": (
        f"{_GROUP}/providers/Microsoft.Monitor/accounts/{{azureMonitorWorkspaceName}}"
    ),
    "azure-native:monitor:DataCollectionEndpoint": (
        f"{_GROUP}/providers/Microsoft.Insights/dataCollectionEndpoints/"
        "{dataCollectionEndpointName}"
    ),
    "azure-native:monitor:DataCollectionRule": (
        f"{_GROUP}/providers/Microsoft.Insights/dataCollectionRules/{{dataCollectionRuleName}}"
    ),
    "azure-native:monitor:DataCollectionRuleAssociation": (
        "{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/"
        "{associationName}"
    ),
    "azure-native:alertsmanagement:PrometheusRuleGroup": (
        f"{_GROUP}/providers/Microsoft.AlertsManagement/prometheusRuleGroups/{{ruleGroupName}}"
    ),
}

# Properties the REST API spec describes as settable only at creation, for types azure-native's
# forceNewMap does not cover: each with the spec's own words, which the installed SDK repeats
# in the property's docstring (checked when generating, so a spec that drops them fails).
SPEC_CREATE_ONLY: dict[str, dict[str, str]] = {
    # specification/storage/.../file.json, FileShareProperties.enabledProtocols
    "azure-native:storage:FileShare": {
        "enabledProtocols": "Can only be specified when creating a share.",
    },
    # specification/containerservice/.../managedClusters.json, ManagedClusterAgentPoolProfile
    # Properties.osDiskType (AKS adds a pool to change it: a new AgentPool).
    "azure-native:containerservice:AgentPool": {
        "osDiskType": "May not be changed after creation.",
    },
}

# Fields the Kubernetes API refuses to change on an existing object, beyond what
# pulumi-kubernetes' forceNew lists (kubernetes/kubernetes pkg/apis/core/validation/validation.go
# ValidatePersistentVolumeUpdate: "spec.persistentvolumesource is immutable after creation",
# volumeMode immutable; ValidatePersistentVolumeClaimUpdate: "spec is immutable after creation
# except resources.requests and volumeAttributesClassName for bound claims";
# pkg/apis/apps/validation ValidateStatefulSetUpdate: "updates to statefulset spec for fields
# other than 'replicas', 'ordinals', 'template', 'updateStrategy',
# 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
# pkg/apis/batch/validation ValidateJobUpdate: spec.selector, spec.template (but scheduling
# directives of a suspended job), spec.completionMode, spec.podFailurePolicy are immutable).
KUBERNETES_IMMUTABLE: dict[str, list[str]] = {
    "core/v1:PersistentVolume": [".spec.volumeMode"],
    "core/v1:PersistentVolumeClaim": [
        ".spec.volumeMode",
        ".spec.dataSource",
        ".spec.dataSourceRef",
        ".spec.resources.limits",
    ],
    "batch/v1:Job": [".spec.completionMode", ".spec.podFailurePolicy", ".spec.manualSelector"],
}

_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)\.")
_LOCATION_INPUT = re.compile(r"^\s+location: pulumi\.Input\[", re.MULTILINE)


def locked_version(package: str) -> str:
    found = re.search(rf"^{re.escape(package)}==(\S+)", LOCK.read_text(), re.MULTILINE)
    if found is None:
        raise SystemExit(f"{LOCK}: {package} is not pinned")
    return found.group(1)


def _sdk_dir() -> Path:
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pulumi-azure-native is not installed; run `make venv`")
    return Path(spec.submodule_search_locations[0])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def sdk_facts(type_token: str) -> dict[str, Any]:
    """What the installed SDK's class for a type says: its REST API version, and whether it
    takes a `location` (a tracked resource)."""
    _, module, name = type_token.split(":")
    sdk = _sdk_dir()
    pulumi_plugin = json.loads((sdk / "pulumi-plugin.json").read_text())
    for candidate in (_snake(name), re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()):
        source = sdk / module / f"{candidate}.py"
        if source.is_file():
            break
    else:
        raise SystemExit(f"pulumi-azure-native {pulumi_plugin.get('version')}: no {type_token}")
    text = source.read_text()
    for name, words in SPEC_CREATE_ONLY.get(type_token, {}).items():
        if not re.search(rf":param [^\n]* {_snake(name)}: [^\n]*{re.escape(words)}", text):
            raise SystemExit(f"{source}: {name} is no longer described as {words!r}")
    found = _API_VERSION.search(text)
    if found is None:
        raise SystemExit(f"{source}: no REST API version for {type_token}")
    args_class = text[: text.find("(pulumi.CustomResource)")]
    inputs = sorted(
        {
            named or _camel(bare)
            for named, bare in re.findall(
                r'@pulumi\.getter(?:\(name="(\w+)"\))?\n\s+def (\w+)\(', args_class
            )
        }
    )
    return {
        "apiVersion": found.group(1),
        "tracked": bool(_LOCATION_INPUT.search(text)),
        "inputs": inputs,
    }


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def sdk_parameter_names(path: str, inputs: list[str]) -> str:
    """The path with each parameter spelled as the SDK's input of that name (the specs' and the
    SDK's spellings differ in case at times: `{publicIPAddressName}`/`publicIpAddressName`)."""
    by_lower = {name.lower(): name for name in inputs}

    def spell(match: re.Match[str]) -> str:
        name = match.group(1)
        return "{" + (name if name == "subscriptionId" else by_lower.get(name.lower(), name)) + "}"

    return re.sub(r"\{(\w+)\}", spell, path)


def sdk_version() -> str:
    return str(json.loads((_sdk_dir() / "pulumi-plugin.json").read_text())["version"])


# --- pulumi-azure-native's versions/v3.yaml: Module -> Resource -> ApiVersion, ResourceUri ---


def v3_paths(path: Path) -> dict[str, dict[str, str]]:
    """`azure-native:<module>:<Resource>` -> {path, apiVersion}, from versions/v3.yaml (a plain
    two-level mapping, read without a YAML library)."""
    out: dict[str, dict[str, str]] = {}
    module = resource = ""
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, _, value = line.strip().partition(":")
        value = value.strip().strip('"')
        if indent == 0:
            module, resource = key.lower(), ""
        elif indent == 4 and not value:
            resource = key
        elif indent == 8 and resource[:1].isupper():
            entry = out.setdefault(f"azure-native:{module}:{resource}", {})
            if key == "ResourceUri":
                entry["path"] = value
            elif key == "ApiVersion":
                entry["apiVersion"] = value
    return out


# --- pulumi-azure-native's replacement.go: forceNewMap / noForceNewMap ---


def _go_string_sets(source: str, variable: str) -> dict[str, dict[str, list[str]]]:
    """`Module -> Resource -> [names]` of a `map[...]map[string]codegen.StringSet` literal."""
    start = source.find(f"var {variable} =")
    if start < 0:
        return {}
    body = source[start:]
    body = body[: body.find("\n}\n") + 2]
    body = re.sub(r"//[^\n]*", "", body)
    out: dict[str, dict[str, list[str]]] = {}
    for module, block in re.findall(r'"(\w+)":\s*\{(.*?)\n\t\}', body, re.DOTALL):
        for resource, names in re.findall(
            r'"(\w+)":\s*codegen\.NewStringSet\((.*?)\)', block, re.DOTALL
        ):
            out.setdefault(module.lower(), {})[resource] = re.findall(r'"(\w+)"', names)
    return out


def force_new(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    source = path.read_text()

    def by_token(table: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
        return {
            f"azure-native:{module}:{resource}": names
            for module, resources in table.items()
            for resource, names in resources.items()
        }

    return by_token(_go_string_sets(source, "forceNewMap")), by_token(
        _go_string_sets(source, "noForceNewMap")
    )


# --- pulumi-kubernetes' diff.go: forceNew ---

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\.\.\.|[A-Za-z_][\w.]*|[{}(),:+]')


class _GoLiterals:
    """Evaluates the composite literals of diff.go: `properties{...}`, `_kinds{...}`,
    `append(a, b...)`, named variables and the `...ForceNewProperties(prefix...)` helpers."""

    def __init__(self, source: str) -> None:
        self.source = re.sub(r"//[^\n]*", "", source)
        self.variables: dict[str, str] = dict(
            re.findall(r"^var (\w+) = (.*?)\n(?=var |func |type |\Z)", self.source, re.M | re.S)
        )
        self.helpers: dict[str, list[str]] = {
            name: re.findall(r'prefix \+ "([^"]+)"', body)
            for name, body in re.findall(
                r"^func (\w+ForceNewProperties)\(.*?\n(.*?)\n}", self.source, re.M | re.S
            )
        }

    def value(self, name: str) -> Any:
        tokens = _TOKEN.findall(self.variables[name])
        result, _ = self._expr(tokens, 0)
        return result

    def _expr(self, tokens: list[str], i: int) -> tuple[Any, int]:
        token = tokens[i]
        if token.startswith('"'):
            return ast.literal_eval(token), i + 1
        if token == "append":
            first, i = self._expr(tokens, i + 2)
            items = list(first)
            while tokens[i] == "," and tokens[i + 1] != ")":
                more, i = self._expr(tokens, i + 1)
                items.extend(more)
                if tokens[i] == "...":
                    i += 1
            return items, (i + 2 if tokens[i] == "," else i + 1)
        if token in self.helpers:
            args: list[str] = []
            i += 2
            while tokens[i] != ")":
                if tokens[i].startswith('"'):
                    args.append(ast.literal_eval(tokens[i]))
                i += 1
            return [prefix + field for prefix in args for field in self.helpers[token]], i + 1
        if i + 1 < len(tokens) and tokens[i + 1] == "{":
            return self._composite(tokens, i + 2)
        return self.value(token), i + 1

    def _composite(self, tokens: list[str], i: int) -> tuple[Any, int]:
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        while tokens[i] != "}":
            if tokens[i] == ",":
                i += 1
                continue
            if tokens[i].startswith('"') and tokens[i + 1] == ":":
                key = ast.literal_eval(tokens[i])
                mapping[key], i = self._expr(tokens, i + 2)
            else:
                item, i = self._expr(tokens, i)
                items.append(item)
        return (mapping if mapping else items), i + 1


def kubernetes_force_new(path: Path) -> dict[str, list[str]]:
    """`<group>/<version>:<Kind>` (group `core` for the legacy group) -> the fields whose
    change makes pulumi-kubernetes replace the object, `.metadata.name`/`.namespace` first."""
    go = _GoLiterals(path.read_text())
    metadata = [".metadata" + field for field in go.helpers["metadataForceNewProperties"]]
    out: dict[str, list[str]] = {}
    for group, versions in go.value("forceNew").items():
        if group == "":  # the legacy name of `core`, listed twice upstream
            continue
        for version, kinds in versions.items():
            for kind, fields in kinds.items():
                out[f"{group}/{version}:{kind}"] = list(dict.fromkeys([*metadata, *fields]))
    # With the provider's defaults (enableSecretMutable / enableConfigMapMutable unset), a
    # Secret's and a ConfigMap's data are replaced, not patched: forceNewProperties adds them.
    function = go.source[go.source.find(") forceNewProperties(") :]
    for kind, predicate in (("Secret", "IsSecret"), ("ConfigMap", "IsConfigMap")):
        found = re.search(rf"{predicate}\(obj\).*?properties\{{(.*?)\}}", function, re.S)
        if found:
            key = f"core/v1:{kind}"
            extra = re.findall(r'"([^"]+)"', found.group(1))
            out[key] = list(dict.fromkeys([*out.get(key, metadata), *extra]))
    out["*"] = metadata
    return out


def build(args: argparse.Namespace) -> dict[str, Any]:
    paths: dict[str, dict[str, str]] = {t: {"path": p} for t, p in REST_PATHS.items()}
    path_source = "REST_PATHS in scripts/gen_arm_types.py (learn.microsoft.com/rest/api)"
    if args.azure_native_versions:
        paths = v3_paths(args.azure_native_versions)
        path_source = f"pulumi/pulumi-azure-native@{args.azure_native_commit}:versions/v3.yaml"
    forced, not_forced = force_new(args.replacement_go)
    types: dict[str, Any] = {}
    for token in sorted(paths):
        facts = sdk_facts(token)
        create_only = [
            n
            for n in [*forced.get(token, []), *SPEC_CREATE_ONLY.get(token, {})]
            if n not in not_forced.get(token, [])
        ]
        types[token] = {
            "path": sdk_parameter_names(paths[token]["path"], facts["inputs"]),
            "apiVersion": facts["apiVersion"],
            "tracked": facts["tracked"],
            "createOnly": sorted(set(create_only) - {"location"}),
        }
    kinds = kubernetes_force_new(args.kubernetes_diff_go)
    for kind, fields in KUBERNETES_IMMUTABLE.items():
        kinds[kind] = list(dict.fromkeys([*kinds.get(kind, kinds["*"]), *fields]))
    return {
        "generatedBy": "scripts/gen_arm_types.py",
        "azureNative": {
            "version": sdk_version(),
            "paths": path_source,
            "forceNew": f"pulumi/pulumi-azure-native@{args.azure_native_commit}:"
            "provider/pkg/gen/replacement.go",
        },
        "kubernetes": {
            "version": locked_version("pulumi-kubernetes"),
            "forceNew": f"pulumi/pulumi-kubernetes@{args.kubernetes_commit}:"
            "provider/pkg/provider/diff.go",
        },
        "types": types,
        "kubernetesKinds": dict(sorted(kinds.items())),
    }


def check() -> list[str]:
    """What the committed data says that the installed SDK no longer does."""
    data = json.loads(DATA.read_text())
    problems = []
    locked = locked_version("pulumi-azure-native")
    if data["azureNative"]["version"] != locked:
        problems.append(
            f"{DATA.relative_to(ROOT)} was generated for pulumi-azure-native "
            f"{data['azureNative']['version']}, requirements.lock pins {locked}: "
            "run scripts/gen_arm_types.py"
        )
    if sdk_version() != locked:
        problems.append(f"the installed SDK is {sdk_version()}, not {locked}: run `make venv`")
    for token, entry in data["types"].items():
        facts = sdk_facts(token)
        for key in ("apiVersion", "tracked"):
            if entry[key] != facts[key]:
                problems.append(f"{token}: {key} is {facts[key]!r} in the SDK, {entry[key]!r} here")
        unknown = set(re.findall(r"\{(\w+)\}", entry["path"])) - {
            *facts["inputs"],
            "subscriptionId",
        }
        if unknown:
            problems.append(f"{token}: path parameter(s) {sorted(unknown)} are not SDK inputs")
    kubernetes = locked_version("pulumi-kubernetes")
    if data["kubernetes"]["version"] != kubernetes:
        problems.append(
            f"{DATA.relative_to(ROOT)} was generated for pulumi-kubernetes "
            f"{data['kubernetes']['version']}, requirements.lock pins {kubernetes}"
        )
    return problems


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the data is stale")
    parser.add_argument("--replacement-go", type=Path, help="pulumi-azure-native replacement.go")
    parser.add_argument("--kubernetes-diff-go", type=Path, help="pulumi-kubernetes diff.go")
    parser.add_argument("--azure-native-versions", type=Path, help="pulumi-azure-native v3.yaml")
    parser.add_argument("--azure-native-commit", default="unknown")
    parser.add_argument("--kubernetes-commit", default="unknown")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if not (args.replacement_go and args.kubernetes_diff_go):
        parser.error("--replacement-go and --kubernetes-diff-go are required to regenerate")
    DATA.write_text(json.dumps(build(args), indent=1, sort_keys=False) + "\n")
    print(f"wrote {DATA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
