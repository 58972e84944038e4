#!/usr/bin/env bash
# Checkov on one stack's export (ARM template and Kubernetes manifests), in CI and locally.
#
# usage: ci-checkov.sh STACK PROJECT_DIR OUT_DIR
# env:   PYTHON   (default: this checkout's .venv/bin/python)
#        INFRA    an infra command (default: PYTHON -m infra, this checkout's)
#        CHECKOV  (default: this checkout's .venv-scan/bin/checkov: `make scan-venv`)
# Writes OUT_DIR/STACK.arm.json, OUT_DIR/STACK.k8s.yaml (the export of PROJECT_DIR's STACK)
# and Checkov's report on stdout. The gate is the checkout this script lives in - in CI the
# base revision's, never the PR's (issue 26.4): the checks its .checkov-waivers.yaml waives
# for STACK are skipped, and it exits 1 when a check fails and STACK is in its strict-scan of
# [tool.infra] (pyproject.toml); otherwise a failure is a warning and the exit is 0. Exits 2
# on any error.
set -euo pipefail

usage='usage: ci-checkov.sh STACK PROJECT_DIR OUT_DIR'
stack=${1:?$usage}
project=${2:?$usage}
out=${3:?$usage}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gate=$(cd "$here/.." && pwd)
python=${PYTHON:-$gate/.venv/bin/python}
checkov=${CHECKOV:-$gate/.venv-scan/bin/checkov}
# `python -m` in the gate's folder imports the gate's own infra, whatever the venv holds.
infra=("$python" -m infra)
if [[ -n ${INFRA:-} ]]; then infra=("$INFRA"); fi

if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
  echo "ci-checkov: invalid stack name" >&2
  exit 2
fi

project=$(cd "$project" && pwd)
if [[ $out != /* ]]; then out=$PWD/$out; fi
cd "$gate"
"${infra[@]}" export -C "$project" --format arm --format k8s --out "$out" --stack "$stack" >/dev/null || exit 2
skip=$("$python" "$here/checkov_waivers.py" skip "$stack") || exit 2
strict=0
"$python" -m infra.repo.rules strict-scan "$stack" || strict=$?
case $strict in
  0 | 1) ;;
  *) echo "ci-checkov: cannot read [tool.infra] strict-scan" >&2; exit 2 ;;
esac

# --skip-download: no call to the Prisma Cloud platform for guidelines and policy metadata
# (checkov/common/util/ext_argument_parser.py "--skip-download"; main.py sets
# bc_integration.skip_download). Without an API key nothing from there applies, and offline
# the attempt prints a 60-line traceback before the result.
args=(--file "$out/$stack.arm.json" --framework arm --compact --quiet --output cli --skip-download)
# A stack without Kubernetes objects exports an empty manifest file, which Checkov rejects.
if [[ -s $out/$stack.k8s.yaml ]]; then
  args+=(--file "$out/$stack.k8s.yaml" --framework kubernetes)
fi
if [[ -n $skip ]]; then
  args+=(--skip-check "$skip")
fi
rc=0
"$checkov" "${args[@]}" || rc=$?
case $rc in
  0) echo "ci-checkov: $stack: no unwaived check failed" ;;
  1)
    if ((strict == 0)); then
      echo "ci-checkov: $stack: unwaived Checkov checks failed (strict-scan); fix them, or waive one that does not apply in .checkov-waivers.yaml" >&2
      exit 1
    fi
    echo "ci-checkov: $stack: unwaived Checkov checks failed (a warning: $stack is not in strict-scan)" >&2
    ;;
  *) echo "ci-checkov: checkov failed to run (exit $rc)" >&2; exit 2 ;;
esac
