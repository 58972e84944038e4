"""Rewriting the Entra ID user kubeconfig for non-interactive kubelogin modes."""

from __future__ import annotations

import base64

import pytest
import yaml
from component_harness import (
    AKS_CLI_CLIENT_ID,
    CERT_KUBECONFIG,
    ENTRA_KUBECONFIG,
    SERVER_ID,
    TENANT,
)

from components.kubeconfig import (
    KUBELOGIN_MODES,
    KubeconfigError,
    decode_kubeconfig,
    kubelogin_args,
    rewrite_kubeconfig,
)


def exec_of(text: str) -> dict:
    document = yaml.safe_load(text)
    return document["users"][0]["user"]["exec"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("azurecli", ["get-token", "--login", "azurecli", "--server-id", SERVER_ID]),
        (
            "workloadidentity",
            ["get-token", "--login", "workloadidentity", "--server-id", SERVER_ID],
        ),
        ("msi", ["get-token", "--login", "msi", "--server-id", SERVER_ID]),
        (
            "spn",
            [
                "get-token",
                "--login",
                "spn",
                "--server-id",
                SERVER_ID,
                "--client-id",
                AKS_CLI_CLIENT_ID,
                "--tenant-id",
                TENANT,
                "--environment",
                "AzurePublicCloud",
            ],
        ),
    ],
)
def test_each_mode_rewrites_the_exec_args(mode: str, expected: list[str]) -> None:
    rewritten = rewrite_kubeconfig(ENTRA_KUBECONFIG, mode)  # type: ignore[arg-type]
    exec_config = exec_of(rewritten)
    assert exec_config["args"] == expected
    assert "devicecode" not in rewritten
    assert exec_config["interactiveMode"] == "Never"
    assert exec_config["command"] == "kubelogin"
    assert exec_config["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_config["installHint"] == "install kubelogin"


def test_only_the_users_exec_changes() -> None:
    before = yaml.safe_load(ENTRA_KUBECONFIG)
    after = yaml.safe_load(rewrite_kubeconfig(ENTRA_KUBECONFIG, "azurecli"))
    for key in ("clusters", "contexts", "current-context", "kind", "apiVersion"):
        assert after[key] == before[key]
    assert after["users"][0]["name"] == before["users"][0]["name"]


def test_rewrite_is_idempotent() -> None:
    for mode in KUBELOGIN_MODES:
        once = rewrite_kubeconfig(ENTRA_KUBECONFIG, mode)  # type: ignore[arg-type]
        assert rewrite_kubeconfig(once, mode) == once  # type: ignore[arg-type]


def test_msi_with_a_user_assigned_identity_keeps_its_client_id() -> None:
    args = kubelogin_args(
        ["get-token", "--server-id", SERVER_ID, "--login", "devicecode"],
        "msi",
        client_id="abcd",
    )
    assert args == ["get-token", "--login", "msi", "--server-id", SERVER_ID, "--client-id", "abcd"]


def test_azurecli_only_takes_an_explicit_tenant() -> None:
    original = ["get-token", "--server-id", SERVER_ID, "--tenant-id", TENANT]
    assert "--tenant-id" not in kubelogin_args(original, "azurecli")
    assert kubelogin_args(original, "azurecli", tenant_id="t")[-2:] == ["--tenant-id", "t"]


def test_interactive_only_flags_are_dropped_and_cache_dir_kept() -> None:
    original = [
        "get-token",
        "--login=interactive",
        f"--server-id={SERVER_ID}",
        "--client-id",
        AKS_CLI_CLIENT_ID,
        "--tenant-id",
        TENANT,
        "--legacy",
        "--login-hint",
        "someone@example.com",
        "--redirect-url",
        "http://localhost:8400",
        "--pop-enabled",
        "--pop-claims",
        "u=x",
        "--cache-dir",
        "/tmp/kubelogin",
    ]
    args = kubelogin_args(original, "workloadidentity")
    assert args == [
        "get-token",
        "--login",
        "workloadidentity",
        "--server-id",
        SERVER_ID,
        "--cache-dir",
        "/tmp/kubelogin",
    ]


@pytest.mark.parametrize("mode", ["devicecode", "interactive", "ropc", ""])
def test_interactive_modes_are_refused(mode: str) -> None:
    with pytest.raises(KubeconfigError, match="must be one of azurecli"):
        rewrite_kubeconfig(ENTRA_KUBECONFIG, mode)  # type: ignore[arg-type]


def test_missing_server_id_is_an_error() -> None:
    broken = ENTRA_KUBECONFIG.replace("--server-id", "--something-else")
    with pytest.raises(KubeconfigError, match="--server-id"):
        rewrite_kubeconfig(broken, "azurecli")


def test_non_kubelogin_users_are_untouched() -> None:
    assert yaml.safe_load(rewrite_kubeconfig(CERT_KUBECONFIG, "azurecli")) == yaml.safe_load(
        CERT_KUBECONFIG
    )


@pytest.mark.parametrize("text", ["- just\n- a list\n", "users: {a: 1}\n", "a: [unclosed\n"])
def test_malformed_kubeconfigs_are_rejected(text: str) -> None:
    with pytest.raises(KubeconfigError):
        rewrite_kubeconfig(text, "azurecli")


def test_decode() -> None:
    encoded = base64.b64encode(ENTRA_KUBECONFIG.encode()).decode()
    assert decode_kubeconfig(encoded) == ENTRA_KUBECONFIG
    with pytest.raises(KubeconfigError, match="base64"):
        decode_kubeconfig("not base64 !!")
