"""The runbooks (scripts/runbook-*.sh), run against recording stand-ins of pulumi, az,
kubectl and azcopy: each step in order, no secret printed, a failing step stops the script
naming it, --dry-run runs nothing; and the quarantine's inspection pod passes the pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from components.smoke import DEFAULT_IMAGE
from policies.registry import ALL_POLICIES
from tests.delivery._standins import StandIns, standins
from tests.delivery._workflows import REPO_ROOT
from tests.policies.policy_harness import StackResource, run_resource, run_stack

POD_TYPE = "kubernetes:core/v1:Pod"


@pytest.fixture
def fakes(tmp_path: Path) -> StandIns:
    return standins(tmp_path)


def _workloads(*items: tuple[str, str, str, bool]) -> str:
    """`kubectl get jobs,deployments,statefulsets -o json`: (kind, name, claim, readOnly)."""
    return json.dumps(
        {
            "items": [
                {
                    "kind": kind,
                    "metadata": {"name": name},
                    "spec": {
                        "template": {
                            "spec": {
                                "volumes": [
                                    {
                                        "name": "v",
                                        "persistentVolumeClaim": {
                                            "claimName": claim,
                                            "readOnly": read_only,
                                        },
                                    }
                                ]
                            }
                        }
                    },
                }
                for kind, name, claim, read_only in items
            ]
        }
    )


def _pods(*items: tuple[str, str] | tuple[str, str, bool]) -> str:
    """`kubectl get pods -o json`: (name, claim[, readOnly])."""
    return json.dumps(
        {
            "items": [
                {
                    "metadata": {"name": name},
                    "spec": {
                        "volumes": [
                            {
                                "persistentVolumeClaim": {
                                    "claimName": claim,
                                    "readOnly": bool(read_only),
                                }
                            }
                        ]
                    },
                }
                for name, claim, *read_only in items
            ]
        }
    )


def _copies(volume: str) -> list[str]:
    """The teams of prod whose sharedVolumes hold a read-only copy of `volume`."""
    config = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    members = config["aks-rwx-training:teams"]["members"]
    return [t["name"] for t in members if volume in (t.get("sharedVolumes") or [])]


def _kube_writers(fakes: StandIns) -> None:
    fakes.answer(
        "kubectl",
        "get jobs,deployments,statefulsets",
        stdout=_workloads(
            ("Job", "ddp-example", "checkpoints", False),
            ("Deployment", "tensorboard", "checkpoints", True),  # reads only: left running
            ("StatefulSet", "trainer", "checkpoints", False),
            ("Job", "prep", "datasets", False),  # another share
        ),
    )
    fakes.answer(
        "kubectl",
        "get pods",
        stdout=_pods(
            ("ddp-example-0-abc", "checkpoints"),
            ("tensorboard-7f-q", "checkpoints", True),  # a reader's pod: not waited for
            ("prep-0-xyz", "datasets"),
        ),
    )


STOP_WRITERS = [
    "kubectl -n training get jobs,deployments,statefulsets -o json",
    'kubectl -n training patch job/ddp-example --type=merge -p {"spec":{"suspend":true}}',
    "kubectl -n training scale statefulset/trainer --replicas=0",
    "kubectl -n training get pods -o json",
    "kubectl -n training wait --for=delete pod/ddp-example-0-abc --timeout=15m",
]


def test_quarantine_stops_the_writers_then_starts_the_read_only_pod(fakes: StandIns) -> None:
    _kube_writers(fakes)
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints")
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    assert lines[:-2] == STOP_WRITERS
    assert lines[-2].startswith("kubectl apply -f ")
    assert lines[-1] == (
        "kubectl -n training wait --for=condition=Ready pod/inspect-checkpoints --timeout=5m"
    )


def test_quarantine_stops_at_a_failing_step_naming_it(fakes: StandIns) -> None:
    fakes.answer("kubectl", "scale statefulset/trainer", exit=1)
    _kube_writers(fakes)
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "runbook-quarantine: step 'stop the writers of training/checkpoints' failed: "
        "kubectl exited 1"
    )
    assert [c.line for c in fakes.calls()] == STOP_WRITERS[:3]


def test_quarantine_dry_run_runs_nothing(fakes: StandIns) -> None:
    done = fakes.run("runbook-quarantine.sh", "prod", "checkpoints", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert "+ kubectl -n training get jobs,deployments,statefulsets -o json" in done.stdout
    assert "+ kubectl -n training wait --for=condition=Ready pod/inspect-checkpoints" in (
        done.stdout
    )


def _kube_datasets(fakes: StandIns, team: str) -> None:
    """training/datasets: a writer and a reader; the team's copy: a Job and a Deployment that
    read it (the copy's PV is read-only, whatever the pod says), and a writer of another claim."""
    fakes.answer(
        "kubectl",
        "-n training get jobs,deployments,statefulsets",
        stdout=_workloads(
            ("Job", "prep", "datasets", False), ("Deployment", "viewer", "datasets", True)
        ),
    )
    fakes.answer(
        "kubectl",
        "-n training get pods",
        stdout=_pods(("prep-0-a", "datasets"), ("viewer-1-b", "datasets", True)),
    )
    fakes.answer(
        "kubectl",
        f"-n {team} get jobs,deployments,statefulsets",
        stdout=_workloads(
            ("Job", "eval", "datasets", False),
            ("Deployment", "browser", "datasets", True),
            ("Job", "write-results", "eval-results", False),
        ),
    )
    fakes.answer(
        "kubectl",
        f"-n {team} get pods",
        stdout=_pods(
            ("eval-0-c", "datasets"),
            ("browser-1-d", "datasets", True),
            ("write-results-0-e", "eval-results"),
        ),
    )


def _stop_datasets(team: str) -> list[str]:
    """The writers of training/datasets stopped (its reader left), then everything that
    mounts the team's read-only copy."""
    return [
        "kubectl -n training get jobs,deployments,statefulsets -o json",
        'kubectl -n training patch job/prep --type=merge -p {"spec":{"suspend":true}}',
        "kubectl -n training get pods -o json",
        "kubectl -n training wait --for=delete pod/prep-0-a --timeout=15m",
        f"kubectl -n {team} get jobs,deployments,statefulsets -o json",
        f'kubectl -n {team} patch job/eval --type=merge -p {{"spec":{{"suspend":true}}}}',
        f"kubectl -n {team} scale deployment/browser --replicas=0",
        f"kubectl -n {team} get pods -o json",
        f"kubectl -n {team} wait --for=delete pod/eval-0-c --timeout=15m",
        f"kubectl -n {team} wait --for=delete pod/browser-1-d --timeout=15m",
    ]


def test_quarantine_also_stops_the_readers_of_each_team_copy(fakes: StandIns) -> None:
    (team,) = _copies("datasets")  # prod: evaluation reads training's datasets
    _kube_datasets(fakes, team)
    done = fakes.run("runbook-quarantine.sh", "prod", "datasets")
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    assert lines[:-2] == _stop_datasets(team)
    assert lines[-2].startswith("kubectl apply -f ")
    assert lines[-1] == (
        "kubectl -n training wait --for=condition=Ready pod/inspect-datasets --timeout=5m"
    )
    assert f"== stop the readers of {team}/datasets (read-only copy)" in done.stdout


def test_quarantine_of_a_shared_volume_dry_run_runs_nothing(fakes: StandIns) -> None:
    (team,) = _copies("datasets")
    done = fakes.run("runbook-quarantine.sh", "prod", "datasets", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert f"+ kubectl -n {team} get jobs,deployments,statefulsets -o json" in done.stdout


def test_quarantine_of_an_unknown_volume_is_one_line(fakes: StandIns) -> None:
    done = fakes.run("runbook-quarantine.sh", "prod", "scratch")
    assert done.returncode == 2
    assert done.stderr == (
        "runbook-quarantine: stacks/Pulumi.prod.yaml: volumes: no volume named 'scratch'\n"
    )
    assert fakes.calls() == []


def _inspection_pod(claim: str, namespace: str) -> dict:
    text = (REPO_ROOT / "scripts" / "manifests" / "inspect-share.yaml").read_text()
    return yaml.safe_load(text.replace("CLAIM", claim).replace("NAMESPACE", namespace))


def _prod_settings(policy_name: str) -> dict:
    config = json.loads((REPO_ROOT / "policies" / "config" / "prod.json").read_text())
    entry = config.get(policy_name)
    # A bare string is an enforcement level alone.
    settings = dict(entry) if isinstance(entry, dict) else {}
    settings.pop("enforcementLevel", None)
    return settings


def test_the_inspection_pod_mounts_read_only_and_passes_the_policy_pack() -> None:
    pod = _inspection_pod("checkpoints", "training")
    (container,) = pod["spec"]["containers"]
    assert container["image"] == DEFAULT_IMAGE
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"] is True
    assert container["volumeMounts"][0]["readOnly"] is True
    violations = [
        f"{policy.name}: {message}"
        for policy in ALL_POLICIES
        if isinstance(policy, ResourceValidationPolicy)
        for message in run_resource(
            policy, POD_TYPE, pod, name="inspect", settings=_prod_settings(policy.name)
        )
    ]
    stack = [StackResource(POD_TYPE, "inspect", pod)]
    violations += [
        f"{policy.name}: {message}"
        for policy in ALL_POLICIES
        if isinstance(policy, StackValidationPolicy)
        for message in run_stack(policy, stack, settings=_prod_settings(policy.name))
    ]
    assert violations == []
    # The pack does judge this pod: a tag instead of the digest fails it.
    container["image"] = "docker.io/library/busybox:latest"
    (image_policy,) = [p for p in ALL_POLICIES if p.name == "kubernetes-core-podspec-image-allowed"]
    assert run_resource(image_policy, POD_TYPE, pod, settings=_prod_settings(image_policy.name))


# --- runbook-migrate-billing-model.sh --------------------------------------------------

OLD = "staksrwxtrainingprod"
NEW = "staksrwxtrainprodv2"  # stacks/Pulumi.prod.yaml storageAccountName
RG = "rg-aks-rwx-training-prod"
SAS = "sv=2024-11-04&sr=s&sp=rl&se=2026-12-07&sig=SECRETSIGNATURE%3D"


def _state(*resources: tuple[str, str, bool]) -> str:
    return json.dumps(
        {
            "deployment": {
                "resources": [
                    {"urn": f"urn:pulumi:prod::aks-rwx-training::{t}::{n}", "type": t, "protect": p}
                    for t, n, p in resources
                ]
            }
        }
    )


PROD_STATE = _state(
    ("azure-native:resources:ResourceGroup", "group", True),
    ("azure-native:containerservice:ManagedCluster", "cluster", True),
    ("azure-native:storage:StorageAccount", "shared-storage-account", True),
    ("azure-native:storage:FileServiceProperties", "shared-storage-file-service", True),
    ("azure-native:storage:FileShare", "shared-storage-share-datasets", True),
    ("azure-native:recoveryservices:Vault", "share-backup-vault", True),
    ("azure-native:recoveryservices:ProtectionPolicy", "share-backup-policy", True),
    ("azure-native:recoveryservices:ProtectionContainer", "share-backup-container", True),
    ("azure:backup/protectedFileShare:ProtectedFileShare", "share-backup-item-datasets", True),
    ("kubernetes:core/v1:PersistentVolume", "volume-datasets-pv", True),
    ("kubernetes:core/v1:PersistentVolumeClaim", "volume-datasets-pvc", True),
    ("azure-native:storage:FileShare", "unprotected-share", False),
)
UNPROTECTED = [
    f"pulumi state unprotect --stack prod --yes urn:pulumi:prod::aks-rwx-training::{t}::{n}"
    for t, n in (
        ("azure-native:storage:StorageAccount", "shared-storage-account"),
        ("azure-native:storage:FileServiceProperties", "shared-storage-file-service"),
        ("azure-native:storage:FileShare", "shared-storage-share-datasets"),
        ("azure-native:recoveryservices:Vault", "share-backup-vault"),
        ("azure-native:recoveryservices:ProtectionPolicy", "share-backup-policy"),
        ("azure-native:recoveryservices:ProtectionContainer", "share-backup-container"),
        ("azure:backup/protectedFileShare:ProtectedFileShare", "share-backup-item-datasets"),
        ("kubernetes:core/v1:PersistentVolume", "volume-datasets-pv"),
        ("kubernetes:core/v1:PersistentVolumeClaim", "volume-datasets-pvc"),
    )
]


def test_migration_prepare_unprotects_the_backup_too_and_releases_the_claims(
    fakes: StandIns,
) -> None:
    fakes.answer("pulumi", "stack export", stdout=PROD_STATE)
    fakes.answer("kubectl", "get", stdout=json.dumps({"items": []}))
    done = fakes.run("runbook-migrate-billing-model.sh", "prepare", "prod", OLD)
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    # prod's volumes, then the read-only copy of datasets in the evaluation team's namespace
    # (stacks/Pulumi.prod.yaml): each claim keeps its name on the new account, so each goes.
    claims = [
        ("datasets", "training"),
        ("checkpoints", "training"),
        ("eval-results", "evaluation"),
        ("datasets", "evaluation"),
    ]
    assert lines == [
        *(
            line
            for _, namespace in claims
            for line in (
                f"kubectl -n {namespace} get jobs,deployments,statefulsets -o json",
                f"kubectl -n {namespace} get pods -o json",
            )
        ),
        "pulumi stack export --stack prod",
        *UNPROTECTED,
        *(
            line
            for name, namespace in claims
            for line in (
                f"kubectl -n {namespace} delete pvc {name} --wait=true",
                f"kubectl delete pv {namespace}-{name} --wait=true",
            )
        ),
    ]


def test_migration_prepare_stops_a_claim_reader_before_deleting_its_claim(
    fakes: StandIns,
) -> None:
    # A pod still mounting a claim keeps it from being deleted (pvc-protection): readers stop
    # too, else `delete pvc --wait=true` would wait for ever.
    fakes.answer("pulumi", "stack export", stdout=PROD_STATE)
    fakes.answer(
        "kubectl",
        "-n training get jobs,deployments,statefulsets",
        stdout=_workloads(("Deployment", "tensorboard", "checkpoints", True)),
    )
    fakes.answer(
        "kubectl", "-n training get pods", stdout=_pods(("tensorboard-1", "checkpoints", True))
    )
    fakes.answer("kubectl", "get", stdout=json.dumps({"items": []}))
    done = fakes.run("runbook-migrate-billing-model.sh", "prepare", "prod", OLD)
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    order = [
        "kubectl -n training scale deployment/tensorboard --replicas=0",
        "kubectl -n training wait --for=delete pod/tensorboard-1 --timeout=15m",
        "kubectl -n training delete pvc checkpoints --wait=true",
    ]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)


def test_migration_copy_never_prints_a_sas_and_stops_on_a_size_mismatch(
    fakes: StandIns,
) -> None:
    fakes.answer("az", "share generate-sas", stdout=f"{SAS}\n")
    fakes.answer("az", f"--storage-account {OLD} -n checkpoints", stdout="1000\n")
    fakes.answer("az", f"--storage-account {NEW} -n checkpoints", stdout="999\n")
    fakes.answer("az", "share-rm show", stdout="42\n")
    done = fakes.run("runbook-migrate-billing-model.sh", "copy", "prod", OLD)
    assert done.returncode == 1
    assert "SECRETSIGNATURE" not in done.stdout + done.stderr
    assert done.stderr.strip() == (
        f"runbook-migrate-billing-model: step 'compare checkpoints' failed: {OLD} holds 1000 "
        f"bytes of checkpoints, {NEW} 999: run copy again"
    )
    copies = [c for c in fakes.calls() if c.tool == "azcopy"]
    assert [c.argv[0] for c in copies] == ["copy", "sync", "copy", "sync"]
    assert copies[0].argv[1:3] == [
        f"https://{OLD}.file.core.windows.net/datasets?{SAS}",
        f"https://{NEW}.file.core.windows.net/datasets?{SAS}",
    ]


def test_migration_retire_lifts_backup_and_both_locks_before_deleting_the_account(
    fakes: StandIns,
) -> None:
    fakes.answer("az", "backup item list", stdout="AzureFileShare;abc\nAzureFileShare;def\n")
    fakes.answer("az", "lock list", stdout=f"AzureBackupProtectionLock\n{OLD}-cannot-delete\n")
    done = fakes.run("runbook-migrate-billing-model.sh", "retire", "prod", OLD)
    assert done.returncode == 0, done.stderr
    vault, container = f"rsv-{OLD}", f"StorageContainer;Storage;{RG};{OLD}"
    lock = f"--resource-name {OLD} --resource-type Microsoft.Storage/storageAccounts"
    assert [c.line for c in fakes.calls()] == [
        f"az backup vault update -g {RG} -n {vault} --immutability-state Disabled",
        f"az backup item list -g {RG} -v {vault} --backup-management-type AzureStorage "
        "--workload-type AzureFileShare --query [].name -o tsv",
        *(
            f"az backup protection disable -g {RG} -v {vault} -c {container} -i {item} "
            "--backup-management-type AzureStorage --workload-type AzureFileShare "
            "--delete-backup-data true --yes"
            for item in ("AzureFileShare;abc", "AzureFileShare;def")
        ),
        f"az backup container unregister -g {RG} -v {vault} -c {container} "
        "--backup-management-type AzureStorage --yes",
        f"az lock list -g {RG} {lock} --query [].name -o tsv",
        f"az lock delete -g {RG} -n AzureBackupProtectionLock {lock}",
        f"az lock list -g {RG} {lock} --query [].name -o tsv",
        f"az lock delete -g {RG} -n {OLD}-cannot-delete {lock}",
        f"az storage account delete -g {RG} -n {OLD} --yes",
    ]


def test_migration_refuses_a_stack_that_still_names_the_old_account(fakes: StandIns) -> None:
    done = fakes.run("runbook-migrate-billing-model.sh", "prepare", "prod", NEW)
    assert done.returncode == 2
    assert done.stderr == (
        f"runbook-migrate-billing-model: stacks/Pulumi.prod.yaml: storageAccountName is still "
        f"{NEW}: the change must name a new account\n"
    )
    assert fakes.calls() == []


@pytest.mark.parametrize("phase", ["prepare", "copy", "retire"])
def test_migration_dry_run_runs_nothing(fakes: StandIns, phase: str) -> None:
    done = fakes.run("runbook-migrate-billing-model.sh", phase, "prod", OLD, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert done.stdout.count("\n+ ") >= 3


# --- runbook-restore.sh ----------------------------------------------------------------

VAULT = f"rsv-{NEW}"
CONTAINER = f"StorageContainer;Storage;{RG};{NEW}"
BACKUP = "--backup-management-type AzureStorage --workload-type AzureFileShare"


def _answer_restore(fakes: StandIns, item: str, command: str, job: str, status: str) -> None:
    """The vault's answers to one restore: the share's backup item, the job `command` starts
    and how that job ended."""
    fakes.answer("az", "backup item list", stdout=f"{item}\n")
    fakes.answer("az", command, stdout=f"{job}\n")
    fakes.answer("az", "backup job show", stdout=f"{status}\n")


def _restore_calls(
    volume: str, item: str, rp: str, job: str, *, stop: list[str], directory: str | None = None
) -> list[str]:
    """The calls of one restore, in order: find `volume`'s backup item, `stop` its users,
    restore the share (or only `directory` of it) from `rp`, then follow `job` to its end."""
    restore = (
        f"restore-azurefiles -g {RG} -v {VAULT} -c {CONTAINER} -i {item} --rp-name {rp} "
        "--restore-mode OriginalLocation --resolve-conflict Overwrite --source-file-type "
        f"Directory --source-file-path {directory}"
        if directory
        else f"restore-azurefileshare -g {RG} -v {VAULT} -c {CONTAINER} -i {item} "
        f"--rp-name {rp} --restore-mode OriginalLocation --resolve-conflict Overwrite"
    )
    return [
        f"az backup item list -g {RG} -v {VAULT} {BACKUP} "
        f"--query [?properties.friendlyName=='{volume}'].name | [0] -o tsv",
        *stop,
        f"az backup restore {restore} --query name -o tsv",
        f"az backup job wait -g {RG} -v {VAULT} -n {job}",
        f"az backup job show -g {RG} -v {VAULT} -n {job} --query properties.status -o tsv",
    ]


def test_restore_finds_the_item_stops_the_writers_then_restores_and_follows_the_job(
    fakes: StandIns,
) -> None:
    _answer_restore(fakes, "AzureFileShare;internal42", "restore-azurefiles", "job-7", "Completed")
    _kube_writers(fakes)
    done = fakes.run(
        "runbook-restore.sh", "restore", "prod", "checkpoints", "rp-700", "ddp-example",
        "--directory",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [c.line for c in fakes.calls()] == _restore_calls(
        "checkpoints",
        "AzureFileShare;internal42",
        "rp-700",
        "job-7",
        stop=STOP_WRITERS,
        directory="ddp-example",
    )


def test_restore_stops_the_readers_of_each_team_copy_and_names_the_copies(
    fakes: StandIns,
) -> None:
    (team,) = _copies("datasets")
    _answer_restore(
        fakes, "AzureFileShare;internal7", "restore-azurefileshare", "job-3", "Completed"
    )
    _kube_datasets(fakes, team)
    done = fakes.run("runbook-restore.sh", "restore", "prod", "datasets", "rp-5")
    assert done.returncode == 0, done.stderr
    assert [c.line for c in fakes.calls()] == _restore_calls(
        "datasets", "AzureFileShare;internal7", "rp-5", "job-3", stop=_stop_datasets(team)
    )
    # The copy's PV names the same share: it sees the restored data without a re-bind.
    assert done.stdout.rstrip().endswith(
        f"runbook-restore: {team}/datasets, team {team}'s read-only copy of the same share, "
        "sees the restored data (no re-bind); resume its readers the same way"
    )


def test_restore_of_a_share_without_backup_stops_naming_it(fakes: StandIns) -> None:
    fakes.answer("az", "backup item list", stdout="\n")
    done = fakes.run("runbook-restore.sh", "restore", "prod", "datasets", "rp-1")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "runbook-restore: step 'find the backup item of datasets' failed: "
        f"{VAULT} protects no share named datasets"
    )
    assert [c.tool for c in fakes.calls()] == ["az"]


def test_a_failed_restore_job_fails_the_runbook(fakes: StandIns) -> None:
    _answer_restore(fakes, "AzureFileShare;x", "restore-azurefileshare", "job-9", "Failed")
    fakes.answer("kubectl", "get", stdout=json.dumps({"items": []}))
    done = fakes.run("runbook-restore.sh", "restore", "prod", "datasets", "rp-1")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "runbook-restore: step 'follow the restore job' failed: restore job job-9 ended Failed"
    )


def test_restore_dry_run_runs_nothing(fakes: StandIns) -> None:
    done = fakes.run("runbook-restore.sh", "restore", "prod", "datasets", "rp-1", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert "+ az backup restore restore-azurefileshare " in done.stdout
    (team,) = _copies("datasets")
    assert f"== stop the readers of {team}/datasets (read-only copy)" in done.stdout


# --- runbook-teardown.sh ---------------------------------------------------------------


def test_teardown_lifts_backup_and_locks_before_destroying_and_deploys_nothing(
    fakes: StandIns,
) -> None:
    fakes.answer("az", "backup item list", stdout="AzureFileShare;a\n")
    fakes.answer("az", "lock list", stdout="AzureBackupProtectionLock\n")
    fakes.answer("az", "storage account list", stdout=f"{NEW}\n")
    done = fakes.run("runbook-teardown.sh", "prod", "--confirm", "prod")
    assert done.returncode == 0, done.stderr
    lines = [c.line for c in fakes.calls()]
    lock = f"--resource-name {NEW} --resource-type Microsoft.Storage/storageAccounts"
    assert lines == [
        f"az backup vault update -g {RG} -n {VAULT} --immutability-state Disabled",
        f"az backup item list -g {RG} -v {VAULT} {BACKUP} --query [].name -o tsv",
        f"az backup protection disable -g {RG} -v {VAULT} -c {CONTAINER} -i AzureFileShare;a "
        f"{BACKUP} --delete-backup-data true --yes",
        f"az backup container unregister -g {RG} -v {VAULT} -c {CONTAINER} "
        "--backup-management-type AzureStorage --yes",
        f"az lock list -g {RG} {lock} --query [].name -o tsv",
        f"az lock delete -g {RG} -n AzureBackupProtectionLock {lock}",
        "pulumi state unprotect --all --stack prod --yes",
        "pulumi destroy --stack prod --refresh --yes",
        f"az storage account list -g {RG} --query [?name=='{NEW}'].name -o tsv",
        f"az storage account delete -g {RG} -n {NEW} --yes",
    ]
    # No config change is deployed (protectData/lockStorage false fails mandatory policies).
    assert not [line for line in lines if line.startswith(("pulumi up", "pulumi config"))]


def test_teardown_of_dev_has_no_backup_step(fakes: StandIns) -> None:
    done = fakes.run("runbook-teardown.sh", "dev", "--confirm", "dev")
    assert done.returncode == 0, done.stderr
    assert [c.line for c in fakes.calls()][:2] == [
        "pulumi state unprotect --all --stack dev --yes",
        "pulumi destroy --stack dev --refresh --yes",
    ]


def test_teardown_needs_the_stack_confirmed_and_stops_at_a_failing_step(
    fakes: StandIns,
) -> None:
    done = fakes.run("runbook-teardown.sh", "prod", "--confirm", "staging")
    assert done.returncode == 2
    assert fakes.calls() == []
    fakes.answer("az", "backup vault update", exit=1)
    done = fakes.run("runbook-teardown.sh", "prod", "--confirm", "prod")
    assert done.returncode == 1
    assert done.stderr.strip() == "runbook-teardown: step 'stop backup' failed: az exited 1"
    assert len(fakes.calls()) == 1


def test_teardown_dry_run_runs_nothing(fakes: StandIns) -> None:
    done = fakes.run("runbook-teardown.sh", "prod", "--confirm", "prod", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert fakes.calls() == []
    assert "+ pulumi destroy --stack prod --refresh --yes" in done.stdout
