#!/usr/bin/env bash
# The PR comment, computed locally by the steps CI runs (`make diff BASE=main`).
#
# usage: pr-comment.sh BASE [OUT_DIR]
# env:   INFRA, PYTHON, CHECKOV   as for ci-offline-diff.sh and ci-checkov.sh
# Runs, as .github/workflows/pull-request.yml does: ci-affected.sh for the stacks the commits
# since BASE affect, ci-offline-diff.sh per stack (no reviews here: a stateful risk is
# unacknowledged), `infra permissions`, ci-checkov.sh per stack when Checkov is installed
# (`make scan-venv`), then build_pr_comment.py; and prints the comment on stdout. HEAD is
# diffed as committed, like the pull request. The comment differs from CI's only by the
# workflow run link. Exits 0 when its first line says nothing blocks the merge, 1 otherwise,
# 2 on an error.
set -euo pipefail

base=${1:?usage: pr-comment.sh BASE [OUT_DIR]}
out=${2:-}
infra=${INFRA:-.venv/bin/infra}
python=${PYTHON:-.venv/bin/python}
checkov=${CHECKOV:-.venv-scan/bin/checkov}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z $out ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
export INFRA=$infra PYTHON=$python CHECKOV=$checkov

stacks=$("$here/ci-affected.sh" --base "$base" --head HEAD --with-removed) || exit 2
mkdir -p "$out/diff" "$out/permissions"
for stack in $(jq -r '.[]' <<<"$stacks"); do
  "$here/ci-offline-diff.sh" "$stack" "$base" HEAD "$out/diff" >/dev/null || true
done
rc=0
"$infra" permissions >"$out/permissions/permissions.txt" 2>&1 || rc=$?
echo "$rc" >"$out/permissions/permissions.rc"
scans=()
if [[ -x $checkov ]]; then
  mkdir -p "$out/scans"
  for stack in $(jq -r '.[]' <<<"$stacks"); do
    rc=0
    "$here/ci-checkov.sh" "$stack" "$PWD" "$out/checkov-export" >/dev/null 2>&1 || rc=$?
    echo "$rc" >"$out/scans/$stack.rc"
  done
  scans=(--scans "$out/scans")
else
  echo "pr-comment: $checkov not found (make scan-venv): the comment leaves out Checkov" >&2
fi
"$python" "$here/build_pr_comment.py" --results "$out/diff" --out "$out/comment.md" \
  --stacks "$stacks" --sha "$(git rev-parse HEAD)" --permissions "$out/permissions" \
  "${scans[@]}" || exit 2
cat "$out/comment.md"
if [[ $(sed -n 2p "$out/comment.md") == "## ✅ "* ]]; then
  exit 0
fi
exit 1
