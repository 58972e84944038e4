"""scripts/day0.sh, run against recording stand-ins of az, gh and pulumi: the set-up runs in
order, reads bootstrap's outputs before it uses the new backend, prints no secret, stops at
the first missing prerequisite or failed step with one line, and --dry-run runs nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.delivery._standins import StandIns, standins
from tests.delivery._workflows import REPO_ROOT

SUBSCRIPTION = "0b1c2d3e-0000-4000-8000-000000000001"
OPERATORS = "0b1c2d3e-0000-4000-8000-0000000000aa"
PASSPHRASE = "correct-horse-battery-staple"
BACKEND = "azblob://pulumi-state?storage_account=stdelivery"
SECRETS = "azurekeyvault://kv-delivery.vault.azure.net/keys/pulumi-secrets"
BOOTSTRAP_BACKEND = "file:///var/lib/bootstrap-state"
# The stack files' names, as they sort: day0 walks them in that order.
STACKS = tuple(
    sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml")
    )
)
ARGS = (
    "--subscription", SUBSCRIPTION,
    "--repository", "acme/training",
    "--operators-group", OPERATORS,
    "--runner", "aks-infra",
    "--prod-reviewers", "acme/ml-platform",
)  # fmt: skip
GITHUB_TOKEN = "github_pat_never-printed"
ENV = {
    "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
    "BOOTSTRAP_BACKEND": BOOTSTRAP_BACKEND,
    "GITHUB_TOKEN": GITHUB_TOKEN,
}


def _azure_ready(fakes: StandIns) -> None:
    fakes.answer("az", "account show", stdout=f"{SUBSCRIPTION}\n")
    fakes.answer("az", "ad signed-in-user show", stdout="me-object-id\n")
    fakes.answer("az", "role assignment list", stdout="Owner\n")
    fakes.answer("az", "ad group member check", stdout="true\n")
    fakes.answer("az", "network vnet subnet show", stdout="true\n")
    fakes.answer("az", "provider show", stdout="Registered\n")
    fakes.answer("az", "feature show", stdout="Registered\n")
    fakes.answer("gh", "api repos/acme/training --jq .permissions.admin", stdout="true\n")
    fakes.answer("gh", "api orgs/acme/teams/ml-platform", stdout="4242\n")
    fakes.answer(
        "pulumi",
        "stack output repositoryVariables",
        stdout=json.dumps(
            {
                "AZURE_TENANT_ID": "tenant",
                "AZURE_SUBSCRIPTION_ID": SUBSCRIPTION,
                "AZURE_PLAN_CLIENT_ID": "plan-client",
                "PULUMI_BACKEND_URL": BACKEND,
                "PULUMI_SECRETS_PROVIDER": SECRETS,
            }
        ),
    )
    fakes.answer(
        "pulumi",
        "stack output environmentVariables",
        stdout=json.dumps({s: {"AZURE_DEPLOY_CLIENT_ID": f"{s}-client"} for s in STACKS}),
    )


@pytest.fixture
def fakes(tmp_path: Path) -> StandIns:
    return standins(tmp_path)


def _day0(fakes: StandIns, *extra: str, env: dict[str, str] | None = None):
    return fakes.run("day0.sh", *ARGS, *extra, env={**ENV, **(env or {})})


def _expected(existing: bool) -> list[str]:
    """The whole set-up, in order; on a re-run (`existing`) only what is missing is added."""
    bootstrap = "pulumi -C bootstrap"
    subnets = [
        f"az network vnet subnet show --ids /subscriptions/00000000-0000-0000-0000-000000000000/"
        f"resourceGroups/rg-network-{s}/providers/Microsoft.Network/virtualNetworks/"
        f"vnet-training-{s}/subnets/snet-aks-nodes --query contains(serviceEndpoints[].service"
        " || `[]`, 'Microsoft.Storage') -o json"
        for s in STACKS
    ]
    namespaces = json.loads(Path("bootstrap/delivery/registrations.json").read_text())["namespaces"]
    environments = []
    for s in STACKS:
        prod = (
            " -F reviewers[][type]=Team -F reviewers[][id]=4242 -F prevent_self_review=true"
            if s == "prod"
            else ""
        )
        environments += [
            f"gh api -X PUT repos/acme/training/environments/{s} -F "
            "deployment_branch_policy[protected_branches]=false -F "
            f"deployment_branch_policy[custom_branch_policies]=true{prod} --silent",
            f"gh api repos/acme/training/environments/{s}/deployment-branch-policies "
            "--jq .branch_policies[].name",
        ]
        if not existing:
            environments.append(
                f"gh api -X POST repos/acme/training/environments/{s}/deployment-branch-"
                "policies -f name=main -f type=branch --silent"
            )
    return [
        f"az account show --subscription {SUBSCRIPTION} --query id -o tsv",
        "pulumi version",
        "gh auth status",
        "gh api repos/acme/training --jq .permissions.admin",
        "az ad signed-in-user show --query id -o tsv",
        "az role assignment list --assignee me-object-id --scope "
        f"/subscriptions/{SUBSCRIPTION} --include-inherited --include-groups --role Owner "
        "--query [0].roleDefinitionName -o tsv",
        f"az ad group member check --group {OPERATORS} --member-id me-object-id "
        "--query value -o json",
        *subnets,
        f"{bootstrap} stack select --create --secrets-provider passphrase --stack bootstrap",
        f"{bootstrap} config set repository acme/training --stack bootstrap",
        f"{bootstrap} config set operatorsGroupId {OPERATORS} --stack bootstrap",
        f"{bootstrap} config set azure-native:subscriptionId {SUBSCRIPTION} --stack bootstrap",
        f"{bootstrap} config set azure:subscriptionId {SUBSCRIPTION} --stack bootstrap",
        "infra preview -C bootstrap --violations-only",
        f"{bootstrap} up --yes --stack bootstrap",
        *(f"az provider show --namespace {n} --query registrationState -o tsv" for n in namespaces),
        *(
            f"az feature show --namespace {n} --name {f} --query properties.state -o tsv"
            for n, features in namespaces.items()
            for f in features
        ),
        f"{bootstrap} stack output repositoryVariables --json --stack bootstrap",
        f"{bootstrap} stack output environmentVariables --json --stack bootstrap",
        "gh api orgs/acme/teams/ml-platform --jq .id",
        *environments,
        "gh variable set AZURE_PLAN_CLIENT_ID --repo acme/training --body plan-client",
        f"gh variable set AZURE_SUBSCRIPTION_ID --repo acme/training --body {SUBSCRIPTION}",
        "gh variable set AZURE_TENANT_ID --repo acme/training --body tenant",
        f"gh variable set PULUMI_BACKEND_URL --repo acme/training --body {BACKEND}",
        f"gh variable set PULUMI_SECRETS_PROVIDER --repo acme/training --body {SECRETS}",
        "gh variable set INFRA_RUNNER --repo acme/training --body aks-infra",
        *(
            f"gh variable set AZURE_DEPLOY_CLIENT_ID --repo acme/training --env {s} "
            f"--body {s}-client"
            for s in STACKS
        ),
        "gh variable list --repo acme/training --json name --jq .[].name",
        *([] if existing else ["gh variable delete AZURE_DEPLOY_CLIENT_ID --repo acme/training"]),
        *(f"pulumi stack select --create --secrets-provider {SECRETS} --stack {s}" for s in STACKS),
    ]


def test_day0_sets_up_delivery_in_order_and_prints_no_secret(fakes: StandIns) -> None:
    _azure_ready(fakes)
    fakes.answer("gh", "variable list", stdout="AZURE_DEPLOY_CLIENT_ID\nLIVE_PREVIEW\n")
    done = _day0(fakes)
    assert done.returncode == 0, done.stderr
    calls = fakes.calls()
    assert [c.line for c in calls] == _expected(existing=False)
    # Bootstrap's own stack: its own backend and the passphrase, through the environment.
    for call in calls:
        if call.argv[:2] == ["-C", "bootstrap"]:
            assert call.env == {
                "PULUMI_BACKEND_URL": BOOTSTRAP_BACKEND,
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            }
    # The main project's stacks: the backend bootstrap created, read from its outputs.
    stacks = [
        c for c in calls if c.argv[:3] == ["stack", "select", "--create"] and "-C" not in c.argv
    ]
    assert [c.env["PULUMI_BACKEND_URL"] for c in stacks] == [BACKEND] * len(STACKS)
    assert PASSPHRASE not in done.stdout + done.stderr
    assert GITHUB_TOKEN not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("day0: done.")


def test_day0_can_run_again_and_adds_only_what_is_missing(fakes: StandIns) -> None:
    _azure_ready(fakes)
    fakes.answer("gh", "deployment-branch-policies --jq", stdout="main\n")
    fakes.answer("gh", "variable list", stdout="AZURE_PLAN_CLIENT_ID\n")
    done = _day0(fakes)
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    assert lines == _expected(existing=True)
    assert not [line for line in lines if " stack init" in line or "stack rm" in line]


def test_day0_dry_run_prints_every_command_and_runs_none(fakes: StandIns) -> None:
    done = _day0(fakes, "--dry-run", env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    printed = [line[2:] for line in done.stdout.splitlines() if line.startswith("+ ")]
    # The same commands as a first run, with placeholders where a value comes from Azure.
    # One `gh variable set <name>` for bootstrap's five repository variables; no delete.
    assert len(printed) == len(_expected(existing=False)) - 5
    for wanted in (
        f"env PULUMI_BACKEND_URL={BOOTSTRAP_BACKEND} pulumi -C bootstrap up --yes "
        "--stack bootstrap",
        "env 'PULUMI_BACKEND_URL=<PULUMI_BACKEND_URL>' pulumi stack select --create "
        "--secrets-provider '<PULUMI_SECRETS_PROVIDER>' --stack prod",
    ):
        assert wanted in printed
    assert done.stdout.splitlines()[-1] == "day0: dry run: nothing was run or changed"


@pytest.mark.parametrize(
    ("tool", "match", "stdout", "missing"),
    [
        ("az", "account show", "other\n", "az logged in to subscription"),
        ("az", "ad group member check", "false\n", "membership of the operators group"),
        ("az", "network vnet subnet show", "false\n", "stacks/Pulumi.dev.yaml nodeSubnetId: "),
        ("az", "feature show", "Registering\n", "feature Microsoft.Compute/EncryptionAtHost"),
        ("gh", "auth status", "", "gh logged in (gh auth login)"),
    ],
)
def test_a_missing_prerequisite_stops_day0_with_one_line_naming_it(
    fakes: StandIns, tool: str, match: str, stdout: str, missing: str
) -> None:
    fakes.answer(tool, match, stdout=stdout, exit=1 if tool == "gh" else 0)
    _azure_ready(fakes)
    done = _day0(fakes)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(f"day0: missing prerequisite: {missing}")
    assert fakes.calls()[-1].line.startswith(f"{tool} {match}")


def test_a_failing_step_stops_day0_naming_it(fakes: StandIns) -> None:
    fakes.answer("pulumi", "up --yes", exit=255)
    _azure_ready(fakes)
    done = _day0(fakes)
    assert done.returncode == 1
    assert done.stderr.strip() == "day0: step 'apply bootstrap' failed: pulumi exited 255"
    assert fakes.calls()[-1].line == "pulumi -C bootstrap up --yes --stack bootstrap"


def test_day0_without_a_github_token_names_it_before_touching_anything(fakes: StandIns) -> None:
    env = {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "BOOTSTRAP_BACKEND": BOOTSTRAP_BACKEND}
    done = fakes.run("day0.sh", *ARGS, env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("day0: missing prerequisite: GITHUB_TOKEN")
    assert fakes.calls() == []


def test_day0_without_a_passphrase_names_it_before_touching_anything(fakes: StandIns) -> None:
    done = fakes.run("day0.sh", *ARGS, env={"BOOTSTRAP_BACKEND": BOOTSTRAP_BACKEND})
    assert done.returncode == 1
    assert done.stderr.startswith("day0: missing prerequisite: PULUMI_CONFIG_PASSPHRASE")
    assert fakes.calls() == []


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("--runner", "day0: --runner: the self-hosted runner label"),
        ("--operators-group", "day0: --operators-group: the group's object id (GUID)"),
    ],
)
def test_day0_usage_errors_are_one_line(fakes: StandIns, drop: str, message: str) -> None:
    at = ARGS.index(drop)
    done = fakes.run("day0.sh", *ARGS[:at], *ARGS[at + 2 :], env=ENV)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and len(done.stderr.splitlines()) == 1
    assert fakes.calls() == []


def test_the_docs_send_day_0_through_the_script() -> None:
    delivery = (REPO_ROOT / "docs" / "delivery.md").read_text()
    assert "scripts/day0.sh --subscription" in delivery
    # The manual sequence that read bootstrap's outputs from the new backend is gone.
    assert "pulumi login --local" not in delivery
    assert "jq -r .PULUMI_SECRETS_PROVIDER" not in delivery
    assert "optional: self-hosted runner label" not in delivery
    # pre-commit is pinned in the dev lock and run from the venv, not fetched by uvx.
    assert "\npre-commit==" in (REPO_ROOT / "requirements.lock").read_text()
    assert "uvx pre-commit" not in delivery + (REPO_ROOT / ".pre-commit-config.yaml").read_text()
