#!/usr/bin/env bash
# Day 0: from an empty subscription to a repository whose pull requests get previews.
#
# usage: scripts/day0.sh --subscription ID --repository OWNER/REPO --operators-group OBJECT_ID \
#          --runner LABEL --prod-reviewers ORG/TEAM [--dry-run]
# env:   GITHUB_TOKEN  for bootstrap's ruleset and environments (Administration: write)
#        PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)  the passphrase of
#          bootstrap's own stack, chosen explicitly (never printed)
#        BOOTSTRAP_BACKEND  where bootstrap's own state lives (default
#          file://$HOME/.aks-rwx-training/bootstrap-state); keep it for every later re-run
#        PYTHON  (default .venv/bin/python: `make venv`)   INFRA (default .venv/bin/infra)
#
# In order, each step printed before it runs (docs/delivery.md says why):
#   1. prerequisites, one line each when missing: az/gh/pulumi logged in, Owner of the
#      subscription, member of the operators group, admin of the repository, every stack's
#      node subnet with the Microsoft.Storage service endpoint;
#   2. bootstrap's config (repository, operators group, subscription), its offline preview,
#      and `pulumi up` in bootstrap/ with its state in BOOTSTRAP_BACKEND;
#   3. the resource providers and features bootstrap registers, Registered;
#   4. bootstrap's outputs, read from BOOTSTRAP_BACKEND before anything uses the new backend;
#   5. GitHub environments (deployable from main only; prod with required reviewers) and
#      variables (bootstrap's outputs, INFRA_RUNNER);
#   6. each stack of the main project selected or created in the new backend with the Key
#      Vault secrets provider.
# Every step can run again: it sets what is already set to the same value.
# --dry-run prints every command and runs none. Exit 1 names the missing prerequisite or
# the failed step; exit 2 is a usage error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/runbook-lib.sh
source scripts/runbook-lib.sh

usage="usage: scripts/day0.sh --subscription ID --repository OWNER/REPO --operators-group OBJECT_ID --runner LABEL --prod-reviewers ORG/TEAM [--dry-run]"
subscription="" repository="" operators="" runner="" reviewers=""
while (($#)); do
  case $1 in
    --subscription | --repository | --operators-group | --runner | --prod-reviewers)
      (($# >= 2)) || { echo "day0: $1 needs a value" >&2; exit 2; }
      case $1 in
        --subscription) subscription=$2 ;;
        --repository) repository=$2 ;;
        --operators-group) operators=$2 ;;
        --runner) runner=$2 ;;
        --prod-reviewers) reviewers=$2 ;;
      esac
      shift 2
      ;;
    --dry-run) DRY_RUN=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
guid='^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'
[[ $subscription =~ $guid ]] || { echo "day0: --subscription: a subscription id (GUID)" >&2; exit 2; }
[[ $operators =~ $guid ]] || { echo "day0: --operators-group: the group's object id (GUID)" >&2; exit 2; }
[[ $repository =~ ^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$ ]] || { echo "day0: --repository: OWNER/REPO" >&2; exit 2; }
[[ $runner =~ ^[A-Za-z0-9._-]+$ ]] || { echo "day0: --runner: the self-hosted runner label every stack's jobs run on" >&2; exit 2; }
[[ $reviewers =~ ^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$ ]] || { echo "day0: --prod-reviewers: ORG/TEAM, the team that approves prod deploys" >&2; exit 2; }

python=${PYTHON:-.venv/bin/python}
infra=${INFRA:-.venv/bin/infra}
bootstrap_backend=${BOOTSTRAP_BACKEND:-file://$HOME/.aks-rwx-training/bootstrap-state}
prod_stack=prod

# Local reads of the repository's own files (no cloud): not printed, also under --dry-run.
facts() { "$python" scripts/stack_facts.py "$@" || die "cannot read the stack files (scripts/stack_facts.py $*)"; }
# KEY<TAB>VALUE per entry of a JSON object (bootstrap's outputs).
pairs() {
  if ((DRY_RUN)); then printf '<name>\t<value>\n'; return 0; fi
  "$python" -c 'import json, sys
for k, v in sorted(json.loads(sys.argv[1]).items()):
    print(k, v if isinstance(v, str) else json.dumps(v), sep="\t")' "$1" ||
    die "step '$STEP' failed: bootstrap output is not a JSON object"
}
field() { pairs "$1" | awk -F'\t' -v k="$2" '$1 == k { print $2 }'; }
bootstrap_pulumi() { run env "PULUMI_BACKEND_URL=$bootstrap_backend" pulumi -C bootstrap "$@" --stack bootstrap; }
mapfile -t stacks < <(facts stacks)
# Set by `query`.
me="" repository_variables="" environment_variables="" team_id="" branches="" names=""

step "prerequisites"
need az "https://learn.microsoft.com/cli/azure/install-azure-cli"
need gh "https://cli.github.com"
need pulumi "https://www.pulumi.com/docs/install/ (the version in requirements.lock)"
[[ -x $python ]] || ((DRY_RUN)) || die "missing prerequisite: $python (run make venv)"
if [[ -z ${PULUMI_CONFIG_PASSPHRASE+set} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
  ((DRY_RUN)) || die "missing prerequisite: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (the passphrase of bootstrap's own stack; keep it with its state)"
fi
# Bootstrap's GitHub provider declares the default branch's ruleset and the environments.
[[ -n ${GITHUB_TOKEN:-} ]] || ((DRY_RUN)) ||
  die "missing prerequisite: GITHUB_TOKEN (bootstrap manages the repository's ruleset and environments: a token with Administration: write, e.g. export GITHUB_TOKEN=\$(gh auth token))"
check "az logged in to subscription $subscription (az login, then az account set --subscription $subscription)" \
  "$subscription" az account show --subscription "$subscription" --query id -o tsv
check "pulumi CLI that runs (pulumi version)" "" pulumi version
check "gh logged in (gh auth login)" "" gh auth status
check "admin rights on $repository (environments and variables need them)" \
  true gh api "repos/$repository" --jq .permissions.admin
query me az ad signed-in-user show --query id -o tsv
check "Owner of subscription $subscription (bootstrap writes roles and registers providers)" \
  Owner az role assignment list --assignee "$me" --scope "/subscriptions/$subscription" \
  --include-inherited --include-groups --role Owner --query "[0].roleDefinitionName" -o tsv
check "membership of the operators group $operators (add yourself, then az login again: tokens carry groups)" \
  true az ad group member check --group "$operators" --member-id "$me" --query value -o json
for stack in "${stacks[@]}"; do
  subnet=$(facts get "$stack" nodeSubnetId)
  check "stacks/Pulumi.$stack.yaml nodeSubnetId: subnet $subnet with the Microsoft.Storage service endpoint (az network vnet subnet update --ids $subnet --service-endpoints Microsoft.Storage)" \
    true az network vnet subnet show --ids "$subnet" \
    --query "contains(serviceEndpoints[].service || \`[]\`, 'Microsoft.Storage')" -o json
done

step "apply bootstrap"
bootstrap_pulumi stack select --create --secrets-provider passphrase
bootstrap_pulumi config set repository "$repository"
bootstrap_pulumi config set operatorsGroupId "$operators"
bootstrap_pulumi config set azure-native:subscriptionId "$subscription"
bootstrap_pulumi config set azure:subscriptionId "$subscription"
run "$infra" preview -C bootstrap --violations-only
bootstrap_pulumi up --yes

step "resource providers and features"
while read -r registration; do
  if [[ $registration == */* ]]; then
    check "feature $registration Registered (bootstrap requested it; re-run when az feature show says Registered)" \
      Registered az feature show --namespace "${registration%/*}" --name "${registration#*/}" \
      --query properties.state -o tsv
  else
    check "resource provider $registration Registered (bootstrap requested it; re-run when az provider show says Registered)" \
      Registered az provider show --namespace "$registration" --query registrationState -o tsv
  fi
done < <(facts registrations)

# Read from bootstrap's own backend, before anything uses the new one.
step "bootstrap outputs"
query repository_variables env "PULUMI_BACKEND_URL=$bootstrap_backend" \
  pulumi -C bootstrap stack output repositoryVariables --json --stack bootstrap
query environment_variables env "PULUMI_BACKEND_URL=$bootstrap_backend" \
  pulumi -C bootstrap stack output environmentVariables --json --stack bootstrap
backend=$(field "$repository_variables" PULUMI_BACKEND_URL)
secrets_provider=$(field "$repository_variables" PULUMI_SECRETS_PROVIDER)
if ((DRY_RUN)); then backend="<PULUMI_BACKEND_URL>" secrets_provider="<PULUMI_SECRETS_PROVIDER>"; fi
[[ $backend == azblob://* && $secrets_provider == azurekeyvault://* ]] || ((DRY_RUN)) ||
  die "step 'bootstrap outputs' failed: repositoryVariables lacks the azblob:// backend or the azurekeyvault:// secrets provider"

step "GitHub environments"
query team_id gh api "orgs/${reviewers%/*}/teams/${reviewers#*/}" --jq .id
for stack in "${stacks[@]}"; do
  # Deployable from main only, by a branch policy rather than protected_branches: that one
  # admits no branch until main is protected, which may come later.
  settings=(-F "deployment_branch_policy[protected_branches]=false"
    -F "deployment_branch_policy[custom_branch_policies]=true")
  if [[ $stack == "$prod_stack" ]]; then
    settings+=(-F "reviewers[][type]=Team" -F "reviewers[][id]=$team_id" -F prevent_self_review=true)
  fi
  run gh api -X PUT "repos/$repository/environments/$stack" "${settings[@]}" --silent
  query branches gh api "repos/$repository/environments/$stack/deployment-branch-policies" \
    --jq ".branch_policies[].name"
  if ! grep -qx main <<<"$branches"; then
    run gh api -X POST "repos/$repository/environments/$stack/deployment-branch-policies" \
      -f name=main -f type=branch --silent
  fi
done

step "GitHub variables"
while IFS=$'\t' read -r name value; do
  run gh variable set "$name" --repo "$repository" --body "$value"
done < <(pairs "$repository_variables")
run gh variable set INFRA_RUNNER --repo "$repository" --body "$runner"
for stack in "${stacks[@]}"; do
  if ((DRY_RUN)); then
    client_id="<AZURE_DEPLOY_CLIENT_ID of $stack>"
  else
    client_id=$("$python" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]]["AZURE_DEPLOY_CLIENT_ID"])' \
      "$environment_variables" "$stack") || die "step '$STEP' failed: environmentVariables has no $stack"
  fi
  run gh variable set AZURE_DEPLOY_CLIENT_ID --repo "$repository" --env "$stack" --body "$client_id"
done
# A repository-level AZURE_DEPLOY_CLIENT_ID (earlier versions of the guide) would be every
# environment's fallback.
query names gh variable list --repo "$repository" --json name --jq ".[].name"
if grep -qx AZURE_DEPLOY_CLIENT_ID <<<"$names"; then
  run gh variable delete AZURE_DEPLOY_CLIENT_ID --repo "$repository"
fi

step "stacks in the new backend"
for stack in "${stacks[@]}"; do
  run env "PULUMI_BACKEND_URL=$backend" pulumi stack select --create \
    --secrets-provider "$secrets_provider" --stack "$stack"
done

if ((DRY_RUN)); then
  echo "day0: dry run: nothing was run or changed"
  exit 0
fi
echo "day0: done. Commit bootstrap/Pulumi.bootstrap.yaml and stacks/Pulumi.*.yaml (their secrets provider), open a pull request: its checks are the first preview. Bootstrap's state stays in $bootstrap_backend."
