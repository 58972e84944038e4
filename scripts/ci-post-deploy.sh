#!/usr/bin/env bash
# After `pulumi up`: check the stack's outputs, that every PVC is bound, and (with --smoke)
# run the RWX smoke Job. Needs the pulumi CLI (installed by pulumi/actions), kubectl and
# the backend/secrets-provider credentials of the deploy job.
#
# usage: ci-post-deploy.sh STACK [--smoke]
# env:   REQUIRED_OUTPUTS   space-separated outputs that must be non-empty (default: kubeconfig)
#        KUBECONFIG_OUTPUT  the output holding the kubeconfig (default: kubeconfig)
#        INFRA              the infra console script (default: .venv/bin/infra)
#
# The kubeconfig is written to a 0600 file under $RUNNER_TEMP, its credentials are masked
# in the log, it is never printed, and it is removed on exit.
set -euo pipefail

stack=${1:?usage: ci-post-deploy.sh STACK [--smoke]}
smoke=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
infra=${INFRA:-.venv/bin/infra}
kubeconfig_output=${KUBECONFIG_OUTPUT:-kubeconfig}
read -r -a required <<<"${REQUIRED_OUTPUTS:-kubeconfig}"

umask 077
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/post-deploy.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "::group::stack outputs ($stack)"
# Without --show-secrets, secret outputs print as "[secret]": safe to parse, never to echo.
pulumi stack output --stack "$stack" --json >"$work/outputs.json"
python3 "$here/ci_kube.py" outputs "$work/outputs.json" "${required[@]}"
echo "::endgroup::"

kubeconfig=$work/kubeconfig
pulumi stack output "$kubeconfig_output" --stack "$stack" --show-secrets >"$kubeconfig"
chmod 600 "$kubeconfig"
python3 "$here/ci_kube.py" mask "$kubeconfig"
export KUBECONFIG=$kubeconfig
if grep -q kubelogin "$kubeconfig"; then
  # Entra ID (AAD) clusters: reuse the azure/login session instead of a device-code prompt.
  if ! command -v kubelogin >/dev/null; then
    echo "::error::the kubeconfig needs kubelogin, which is not installed on this runner"
    exit 1
  fi
  kubelogin convert-kubeconfig --login azurecli --kubeconfig "$kubeconfig"
fi

echo "::group::PersistentVolumeClaims ($stack)"
kubectl get pvc --all-namespaces --output json >"$work/pvcs.json"
kubectl get storageclass --output json >"$work/storageclasses.json"
python3 "$here/ci_kube.py" pvcs "$work/pvcs.json" "$work/storageclasses.json"
echo "::endgroup::"

if [[ $smoke == --smoke ]]; then
  echo "::group::RWX smoke test ($stack)"
  "$infra" smoke --stack "$stack"
  echo "::endgroup::"
fi
