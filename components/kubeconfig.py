"""Rewrite an AKS Entra ID (AAD) user kubeconfig for non-interactive use.

``listClusterUserCredentials`` on an Entra ID cluster returns a kubeconfig whose users run the
``kubelogin`` exec plugin in an interactive mode (``--login devicecode`` or ``interactive``),
which would block a Pulumi deployment waiting for a browser. This module rewrites the
``users[].user.exec`` entries the way ``kubelogin convert-kubeconfig -l <mode>`` does:

* every mode keeps ``get-token --login <mode> --server-id <AKS server app id>``
  (and ``--cache-dir``/``--token-cache-dir`` when present);
* ``azurecli``: the token comes from ``az`` - client id, tenant id and environment are dropped
  (``az`` logged in with a managed identity refuses an explicit tenant);
* ``spn``: keeps ``--client-id``, ``--tenant-id`` and ``--environment``; the service principal
  credentials come from ``AAD_SERVICE_PRINCIPAL_CLIENT_ID``/``..._SECRET`` (or ``AZURE_CLIENT_*``)
  in the deployment environment, which override the kubeconfig's client id;
* ``msi``: only the server id (plus ``--client-id`` when an explicit user-assigned identity
  client id is given);
* ``workloadidentity``: only the server id; ``AZURE_CLIENT_ID``, ``AZURE_TENANT_ID``,
  ``AZURE_FEDERATED_TOKEN_FILE`` and ``AZURE_AUTHORITY_HOST`` come from the environment
  (azure.github.io/kubelogin/concepts/login-modes/workloadidentity.html), e.g. a pod with
  AKS workload identity, whose webhook injects them. ``azure/login`` in GitHub Actions logs
  in ``az`` only: it sets none of these variables and writes no token file, so a job logged
  in that way uses ``azurecli``. A GitHub job would have to write its own OIDC token to a
  file and export the variables itself.

Device-code / interactive only flags (``--legacy``, ``--login-hint``, ``--redirect-url``,
``--pop-enabled``, ``--pop-claims``) are removed, and ``interactiveMode: Never`` is set so
client-go never hands the plugin a terminal. Users that do not run kubelogin (e.g. the client
certificate user of a cluster without Entra ID) are left untouched.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Literal, cast, get_args

import yaml

KubeloginMode = Literal["azurecli", "workloadidentity", "spn", "msi"]
KUBELOGIN_MODES: tuple[str, ...] = get_args(KubeloginMode)


class KubeconfigError(ValueError):
    """The kubeconfig cannot be parsed or rewritten."""


def _arg_value(args: Sequence[str], flag: str) -> str | None:
    """The value following ``flag`` in ``args`` (``--flag value`` or ``--flag=value``)."""
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(flag + "="):
            return arg[len(flag) + 1 :]
    return None


def _is_kubelogin(exec_config: Any) -> bool:
    return isinstance(exec_config, dict) and "kubelogin" in str(exec_config.get("command", ""))


def kubelogin_args(
    original_args: Sequence[str],
    mode: KubeloginMode,
    *,
    client_id: str | None = None,
    tenant_id: str | None = None,
) -> list[str]:
    """New ``exec.args`` for ``mode`` from the original kubelogin arguments.

    ``client_id``/``tenant_id`` override what the original kubeconfig carries (for ``msi`` the
    client id of a user-assigned identity; for ``azurecli``/``workloadidentity`` an explicit
    tenant).
    """
    if mode not in KUBELOGIN_MODES:
        raise KubeconfigError(
            f"kubelogin mode must be one of {', '.join(KUBELOGIN_MODES)} (got {mode!r}); "
            "devicecode and interactive need a person at a terminal"
        )
    server_id = _arg_value(original_args, "--server-id")
    if not server_id:
        raise KubeconfigError("the kubelogin user has no --server-id; cannot rewrite it")

    args = ["get-token", "--login", mode, "--server-id", server_id]
    cache_dir = _arg_value(original_args, "--cache-dir")
    if cache_dir:
        args += ["--cache-dir", cache_dir]
    else:
        token_cache_dir = _arg_value(original_args, "--token-cache-dir")
        if token_cache_dir:
            args += ["--token-cache-dir", token_cache_dir]

    if mode == "spn":
        spn_client = client_id or _arg_value(original_args, "--client-id")
        spn_tenant = tenant_id or _arg_value(original_args, "--tenant-id")
        if not spn_client or not spn_tenant:
            raise KubeconfigError("spn mode needs --client-id and --tenant-id")
        args += ["--client-id", spn_client, "--tenant-id", spn_tenant]
        environment = _arg_value(original_args, "--environment")
        if environment:
            args += ["--environment", environment]
    elif mode == "msi":
        if client_id:
            args += ["--client-id", client_id]
    elif tenant_id:  # azurecli and workloadidentity: only an explicitly given tenant
        args += ["--tenant-id", tenant_id]
    return args


def rewrite_kubeconfig(
    kubeconfig: str,
    mode: KubeloginMode,
    *,
    client_id: str | None = None,
    tenant_id: str | None = None,
) -> str:
    """Rewrite every kubelogin exec user of ``kubeconfig`` (YAML text) to ``mode``."""
    try:
        document = yaml.safe_load(kubeconfig)
    except yaml.YAMLError as error:
        raise KubeconfigError(f"kubeconfig is not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise KubeconfigError("kubeconfig is not a YAML mapping")

    users = document.get("users") or []
    if not isinstance(users, list):
        raise KubeconfigError("kubeconfig 'users' is not a list")
    for entry in users:
        user = entry.get("user") if isinstance(entry, dict) else None
        exec_config = user.get("exec") if isinstance(user, dict) else None
        if not _is_kubelogin(exec_config):
            continue
        exec_config = cast(dict[str, Any], exec_config)
        original = [str(arg) for arg in exec_config.get("args") or []]
        exec_config["args"] = kubelogin_args(
            original, mode, client_id=client_id, tenant_id=tenant_id
        )
        exec_config["interactiveMode"] = "Never"
    return yaml.safe_dump(document, default_flow_style=False, sort_keys=False)


def decode_kubeconfig(value: str) -> str:
    """Decode the base64 ``kubeconfigs[].value`` returned by the AKS credential APIs."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise KubeconfigError("kubeconfig value is not base64-encoded UTF-8") from error
