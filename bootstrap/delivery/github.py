"""GitHub's side of delivery, as code: the default branch's ruleset and the environments.

The PR gate (issue 26.4) runs the base revision's scripts and rules, but a pull request's
workflow file is the PR's own (GitHub runs `pull_request` workflows from the merge ref), and
so is CODEOWNERS. What stops a PR from switching the gate off is therefore GitHub's: merging
into the default branch needs the gate's required check and, for any file CODEOWNERS lists,
a code owner's approving review. This component declares both, and the deployment
environments the deploy identities are federated with (delivery/identities.py).

API read from pulumi-github 6.15.0 (pulumi_github/repository_ruleset.py, _inputs.py
RepositoryRulesetRulesPullRequestArgs, RepositoryRulesetRulesRequiredStatusChecksArgs,
repository_environment.py; read 2026-12-06). `repository` is a name within the provider's
owner. Environment reviewers are people and teams of the organisation, kept by hand
(docs/delivery.md) and ignored here so that `pulumi up` never removes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

# The jobs of .github/workflows/pull-request.yml a merge waits for (their `name:`, the
# context GitHub reports; tests/bootstrap check them against the workflow).
REQUIRED_CHECKS = ("offline diff result", "lint, typecheck, test")


@dataclass(frozen=True)
class RepositoryGovernanceArgs:
    """The repository (``owner/name``), its default branch and its deployment environments."""

    repository: str
    default_branch: str
    environments: Sequence[str]


class RepositoryGovernance(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        args: RepositoryGovernanceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aks-rwx-training:delivery:RepositoryGovernance", name, None, opts)
        import pulumi_github as github

        owner, repository = args.repository.split("/", 1)
        # The token comes from GITHUB_TOKEN (a repository administrator's): docs/delivery.md.
        provider = github.Provider(
            f"{name}-provider", owner=owner, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.ruleset = github.RepositoryRuleset(
            f"{name}-default-branch",
            name=f"{args.default_branch}: code-owner review and the PR gate",
            repository=repository,
            target="branch",
            enforcement="active",
            conditions=github.RepositoryRulesetConditionsArgs(
                ref_name=github.RepositoryRulesetConditionsRefNameArgs(
                    includes=[f"refs/heads/{args.default_branch}"], excludes=[]
                )
            ),
            rules=github.RepositoryRulesetRulesArgs(
                deletion=True,
                non_fast_forward=True,
                pull_request=github.RepositoryRulesetRulesPullRequestArgs(
                    require_code_owner_review=True,
                    required_approving_review_count=1,
                    # An approval is of the code it saw: a later push needs a new one, from
                    # someone other than who pushed it.
                    dismiss_stale_reviews_on_push=True,
                    require_last_push_approval=True,
                ),
                required_status_checks=github.RepositoryRulesetRulesRequiredStatusChecksArgs(
                    required_checks=[
                        github.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArgs(
                            context=check
                        )
                        for check in REQUIRED_CHECKS
                    ],
                    strict_required_status_checks_policy=True,
                ),
            ),
            opts=child,
        )
        self.environments = [
            github.RepositoryEnvironment(
                f"{name}-environment-{environment}",
                repository=repository,
                environment=environment,
                can_admins_bypass=False,
                prevent_self_review=True,
                # Only the default branch deploys, named by a branch policy: "protected
                # branches" would admit every branch until one is protected, and whether a
                # ruleset counts as protection is GitHub's to say (scripts/day0.sh sets the
                # same policy, so either may run first).
                deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                    protected_branches=False, custom_branch_policies=True
                ),
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(ignore_changes=["reviewers"])
                ),
            )
            for environment in args.environments
        ]
        self.deploy_branches = [
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-deploy-branch-{environment}",
                repository=repository,
                environment=resource.environment,
                branch_pattern=args.default_branch,
                opts=pulumi.ResourceOptions(parent=resource),
            )
            for environment, resource in zip(args.environments, self.environments, strict=True)
        ]
        self.register_outputs({"ruleset": self.ruleset.ruleset_id})
