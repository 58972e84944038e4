"""Stack program: AKS training cluster with Azure Files ReadWriteMany volumes.

All configuration is loaded and validated first (``stacks/config.py``); only then are
resources registered, into the resource group ``bootstrap/`` creates: shared storage ->
cluster (and the NVIDIA device plugin when it has a GPU pool, with the DCGM exporter when
managed Prometheus is on too) -> one RWX volume per configured volume -> one TrainingJob per
``trainingJobs`` entry. Each component takes its part of the validated config whole (the
component declares what it reads as a Protocol); its ``*Args`` carry only what is not config.

Values the stack marks ``secure:`` stay secret: every resource input and stack output that
holds their text becomes a secret Output (see ``keep_secret``).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components import (
    KubeletKeyAccess,
    KubeletKeyAccessArgs,
    NvidiaDevicePlugin,
    NvidiaDevicePluginArgs,
    RwxVolume,
    RwxVolumeArgs,
    ShareBackup,
    ShareBackupArgs,
    SharedStorage,
    SharedStorageArgs,
    SharePerformance,
    ShareSpec,
    TrainingCluster,
    TrainingClusterArgs,
    TrainingJob,
    TrainingJobArgs,
    TrainingMount,
)
from components.gpu_metrics import DcgmExporter, DcgmExporterArgs
from components.monitoring import (
    MonitoringRuleAssociations,
    MonitoringRuleAssociationsArgs,
    MonitoringWorkspaces,
    MonitoringWorkspacesArgs,
)
from components.private_endpoint import StoragePrivateEndpoint, StoragePrivateEndpointArgs
from components.teams import TeamQueues, TeamQueuesArgs, max_gpus_of
from components.training_example import SCRIPTS as EXAMPLE_SCRIPTS
from stacks.config import (
    LoadedConfig,
    Secrets,
    load_config,
    mount_namespace,
    pool_gpus,
    scalars,
)


def keep_secret(value: Any, secrets: Secrets) -> Any:
    """``value`` as a secret Output when it holds the text of a secure config value, once its
    Outputs resolve. Pulumi encrypts only what is marked secret: a name, id or tag built from a
    secure value would otherwise reach the state and the CLI's output in plain text."""
    if not secrets:
        return value
    if any(isinstance(item, pulumi.Output) for item in scalars(value)):
        return pulumi.Output.from_input(value).apply(lambda plain: keep_secret(plain, secrets))
    return pulumi.Output.secret(value) if secrets.found_in(value) else value


def _secret_inputs(secrets: Secrets) -> pulumi.ResourceTransformation:
    # A stack transformation runs in the SDK for every resource, components' children too,
    # so it also applies under the mock monitors of `infra preview` and the tests.
    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        props = {key: keep_secret(value, secrets) for key, value in args.props.items()}
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


def share_report(share: SharePerformance) -> dict[str, object]:
    """What a volume's share gets, for the stack outputs (and so the preview): its billing
    model, size, IOPS and throughput, and whether those are provisioned or only a ceiling."""
    if not share.provisioned:
        return {
            "billingModel": str(share.model),
            "quotaGiB": share.quota_gib,
            "performance": "ceiling: nothing is provisioned; the account's shares share it",
            "maxIops": share.iops,
            "maxThroughputMiBps": share.throughput_mibps,
        }
    return {
        "billingModel": str(share.model),
        "quotaGiB": share.quota_gib,
        "performance": "provisioned: guaranteed IOPS and throughput; burstIops is best effort",
        "iops": share.iops,
        "burstIops": share.burst_iops,
        "throughputMiBps": share.throughput_mibps,
    }


def main(loaded: LoadedConfig) -> None:
    cfg = loaded.values
    protect = cfg.placement.protect_data
    if loaded.secrets:
        pulumi.runtime.register_stack_transformation(_secret_inputs(loaded.secrets))

    # The resource group is bootstrap's (bootstrap/__main__.py): it exists before the first
    # deploy, so that the deploy identity is granted the group rather than the subscription,
    # and no deploy can delete it. The stack deploys into it by name.
    resource_group_name = cfg.placement.resource_group_name

    shared_storage = SharedStorage(
        "shared-storage",
        SharedStorageArgs(
            resource_group_name=resource_group_name,
            location=cfg.placement.location,
            storage=cfg.storage,
            shares=[ShareSpec(v.config.name, v.performance) for v in loaded.volumes],
            allowed_subnet_ids=loaded.storage_subnet_ids,
            protect=protect,
            tags=loaded.tags,
        ),
    )
    if cfg.storage.storage_private_endpoint:
        StoragePrivateEndpoint(
            "storage-private-endpoint",
            StoragePrivateEndpointArgs(
                resource_group_name=resource_group_name,
                location=cfg.placement.location,
                account_name=cfg.storage.storage_account_name,
                account_id=shared_storage.account_id,
                subnet_id=cfg.placement.node_subnet_id,
                tags=loaded.tags,
            ),
        )

    monitoring = (
        MonitoringWorkspaces(
            "monitoring",
            MonitoringWorkspacesArgs(
                resource_group_name=resource_group_name,
                location=cfg.placement.location,
                cluster_name=cfg.cluster.cluster_name,
                monitoring=cfg.monitoring,
                tags=loaded.tags,
            ),
        )
        if cfg.monitoring.enabled
        else None
    )

    if cfg.storage.backup.enabled:
        ShareBackup(
            "share-backup",
            ShareBackupArgs(
                resource_group_name=resource_group_name,
                location=cfg.placement.location,
                vault_name=f"rsv-{cfg.storage.storage_account_name}",
                storage_account_name=shared_storage.account_name,
                storage_account_id=shared_storage.account_id,
                storage_resource_group_name=resource_group_name,
                shares={name: share.name for name, share in shared_storage.shares.items()},
                backup=cfg.storage.backup,
                protect=protect,
                lock=cfg.storage.lock_storage,
                tags=loaded.tags,
            ),
        )

    cluster = TrainingCluster(
        "training",
        TrainingClusterArgs(
            resource_group_name=resource_group_name,
            location=cfg.placement.location,
            node_subnet_id=cfg.placement.node_subnet_id,
            cluster=cfg.cluster,
            network=cfg.network,
            tags=loaded.tags,
            container_insights_workspace_id=monitoring.log_analytics_workspace_id
            if monitoring is not None
            else None,
            managed_prometheus=monitoring is not None,
        ),
    )
    if cfg.storage.file_protocol == "smb":
        # The CSI driver lists the account key itself when a node stages an SMB volume.
        KubeletKeyAccess(
            "kubelet-key-access",
            KubeletKeyAccessArgs(
                account_id=shared_storage.account_id,
                account_name=cfg.storage.storage_account_name,
                cluster_name=cfg.cluster.cluster_name,
                kubelet_principal_id=cluster.kubelet_principal_id,
            ),
        )
    monitoring_rules = None
    if monitoring is not None:
        monitoring_rules = MonitoringRuleAssociations(
            "monitoring-rules",
            MonitoringRuleAssociationsArgs(
                cluster_id=cluster.cluster.id,
                cluster_name=cfg.cluster.cluster_name,
                workspaces=monitoring,
            ),
        )
    if cluster.gpu_scheduling is not None:
        # Without it the GPU nodes never advertise nvidia.com/gpu and GPU pods stay Pending.
        NvidiaDevicePlugin(
            "nvidia-device-plugin",
            NvidiaDevicePluginArgs(scheduling=cluster.gpu_scheduling, provider=cluster.provider),
        )
        if monitoring_rules is not None:
            # GPU metrics need managed Prometheus to scrape them (and its PodMonitor CRD).
            DcgmExporter(
                "dcgm-exporter",
                DcgmExporterArgs(
                    scheduling=cluster.gpu_scheduling,
                    provider=cluster.provider,
                    depends_on=[monitoring_rules],
                ),
            )

    team_queues = None
    if cfg.training.teams.members and cluster.gpu_scheduling is not None:
        team_queues = TeamQueues(
            "teams",
            TeamQueuesArgs(
                teams=cfg.training.teams.members,
                scheduling=cluster.gpu_scheduling,
                pool_gpus=pool_gpus(cfg),
                cluster_id=cluster.cluster.id,
                provider=cluster.provider,
                protect=protect,
            ),
        )
    team_namespaces = team_queues.namespaces if team_queues is not None else {}

    # Volumes that create their namespace go first so the others can depend on it.
    ordered = sorted(loaded.volumes, key=lambda volume: not volume.creates_namespace)
    namespace_owners: dict[str, RwxVolume] = {}
    rwx_volumes: dict[str, RwxVolume] = {}
    volume_outputs: dict[str, dict[str, object]] = {}
    for volume in ordered:
        spec = volume.config
        owner = namespace_owners.get(spec.namespace)
        rwx = RwxVolume(
            f"volume-{spec.name}",
            RwxVolumeArgs(
                volume=spec,
                namespace=spec.namespace,
                quota_gib=volume.quota_gib,
                resource_group_name=resource_group_name,
                storage_account_name=shared_storage.account_name,
                share_name=shared_storage.shares[spec.name].name,
                provider=cluster.provider,
                protocol=cfg.storage.file_protocol,
                create_namespace=spec.create_namespace,
                namespace_depends_on=[owner.namespace_resource]
                if owner is not None and owner.namespace_resource is not None
                else [team_namespaces[spec.namespace]]
                if spec.namespace in team_namespaces
                else [],
                protect=protect,
            ),
        )
        rwx_volumes[spec.name] = rwx
        if rwx.namespace_resource is not None:
            namespace_owners[spec.namespace] = rwx
        volume_outputs[spec.name] = {
            "namespace": rwx.namespace,
            "pvcName": rwx.pvc_name,
            "pvName": rwx.pv_name,
            **share_report(volume.performance),
        }

    specs = {volume.config.name: volume.config for volume in loaded.volumes}
    # A team's read-only copies of other namespaces' volumes (its shared datasets).
    claims = {(specs[name].namespace, name): rwx for name, rwx in rwx_volumes.items()}
    quotas = {volume.config.name: volume.quota_gib for volume in loaded.volumes}
    for team in cfg.training.teams.members:
        for shared in team.shared_volumes:
            spec = specs[shared]
            claims[(team.name, shared)] = RwxVolume(
                f"volume-{shared}-{team.name}",
                RwxVolumeArgs(
                    volume=spec,
                    namespace=team.name,
                    quota_gib=quotas[shared],
                    resource_group_name=resource_group_name,
                    storage_account_name=shared_storage.account_name,
                    share_name=shared_storage.shares[shared].name,
                    provider=cluster.provider,
                    protocol=cfg.storage.file_protocol,
                    create_namespace=False,
                    namespace_depends_on=[team_namespaces[team.name]],
                    protect=protect,
                    read_only=True,
                ),
            )
    for job in cfg.training.training_jobs:
        TrainingJob(
            f"training-{job.name}",
            TrainingJobArgs(
                job=job,
                mounts=[
                    TrainingMount(
                        claim_name=rwx_volumes[mount.volume].pvc_name,
                        namespace=mount_namespace(cfg, job, specs[mount.volume]),
                        mount_path=mount.mount_path,
                        read_only=mount.read_only,
                        uid=specs[mount.volume].uid,
                        gid=specs[mount.volume].gid,
                    )
                    for mount in job.mounts
                ],
                scheduling=cluster.gpu_scheduling,
                provider=cluster.provider,
                scripts=EXAMPLE_SCRIPTS if job.example_script else {},
            ),
            # The PVCs come after their namespace, which the Service and Job need too; a
            # queued Job after its LocalQueue, or Kueue would find no queue to admit it from.
            opts=pulumi.ResourceOptions(
                depends_on=[
                    claims[(mount_namespace(cfg, job, specs[mount.volume]), mount.volume)].pvc
                    for mount in job.mounts
                ]
                + (
                    [team_queues.local_queues[job.team]]
                    if team_queues is not None and job.team is not None
                    else []
                )
            ),
        )

    outputs: dict[str, Any] = {
        "resourceGroupName": resource_group_name,
        "clusterName": cluster.cluster_name,
        "storageAccountName": shared_storage.account_name,
        "kubeconfig": pulumi.Output.secret(cluster.kubeconfig),
        "volumes": {name: volume_outputs[name] for name in sorted(volume_outputs)},
    }
    if cfg.training.teams.members:
        # What each team may hold of the GPU pool, in the preview and the PR diff.
        pool = pool_gpus(cfg)
        outputs["teams"] = {
            team.name: {
                "namespace": team.name,
                "localQueue": team.name,
                "gpuQuota": team.gpus,
                "maxGpus": max_gpus_of(team, pool),
                "poolGpus": pool,
            }
            for team in cfg.training.teams.members
        }
    for name, value in outputs.items():
        pulumi.export(name, keep_secret(value, loaded.secrets))


main(load_config())
