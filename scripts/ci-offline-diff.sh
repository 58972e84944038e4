#!/usr/bin/env bash
# Offline desired-state diff of one stack for a pull request (no cloud access, no secrets).
#
# usage: ci-offline-diff.sh STACK BASE_REF HEAD_REF OUT_DIR
# env:   REVIEWS, COMMITS, PR_AUTHOR,  the PR's reviews and commits (JSON files), author and
#        HEAD_SHA                      head commit, for scripts/ci_ack.py
#        PYTHON                        (default: this checkout's .venv/bin/python)
#        INFRA                         an infra command (default: PYTHON -m infra, this checkout's)
# The gate is the checkout this script lives in - in CI the BASE revision's, never the PR's
# (issue 26.4): its infra code (the stateful types), its [tool.infra] strict-diff, its policy
# pack and configs and its ci_ack.py judge HEAD_REF, a commit of the same repository.
# Writes OUT_DIR/STACK.md (Markdown for the PR comment and job summary) and OUT_DIR/STACK.rc
# (infra diff's exit code), and exits with that code: 0 clean, 1 mandatory policy
# violation, 2 error, 3 unacknowledged replacement/deletion of a stateful resource.
# The stacks in strict-diff of [tool.infra] run with --strict. Only when that blocks (3) is
# ci_ack.py asked whether a maintainer's approval names every resource at risk (from the JSON
# report the same run wrote: one preview of each revision); if so the diff is re-run with --ack.
set -euo pipefail

usage='usage: ci-offline-diff.sh STACK BASE_REF HEAD_REF OUT_DIR'
stack=${1:?$usage}
base=${2:?$usage}
head=${3:?$usage}
out=${4:?$usage}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
gate=$(cd "$here/.." && pwd)
python=${PYTHON:-$gate/.venv/bin/python}
# `python -m` in the gate's folder imports the gate's own infra, whatever the venv holds.
infra=("$python" -m infra)
if [[ -n ${INFRA:-} ]]; then infra=("$INFRA"); fi

if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
  echo "ci-offline-diff: invalid stack name" >&2
  exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$gate"

args=(diff --base "$base" --head "$head" --stack "$stack")
# strict-diff in [tool.infra] (pyproject.toml) names the stacks whose diff blocks.
strict=0
"$python" -m infra.repo.rules strict-diff "$stack" || strict=$?
case $strict in
  0) args+=(--strict) ;;
  1) ;;
  *) echo "ci-offline-diff: cannot read [tool.infra] strict-diff" >&2; exit 2 ;;
esac

rc=0
verdict=''
"${infra[@]}" "${args[@]}" --markdown --report "$out/$stack.json" >"$out/$stack.md" 2>"$out/$stack.err" || rc=$?
if ((rc == 3)); then
  # The report names the resources at risk.
  ack=0
  verdict=$("$python" "$here/ci_ack.py" --stack "$stack" --diff "$out/$stack.json" \
    --reviews "${REVIEWS:-}" --commits "${COMMITS:-}" --author "${PR_AUTHOR:-}" --head-sha "${HEAD_SHA:-}") || ack=$?
  verdict=${verdict:-not acknowledged: ci_ack.py failed (see the job log)}
  echo "ci-offline-diff: $verdict" >&2
  if ((ack == 0)); then
    rc=0
    "${infra[@]}" "${args[@]}" --ack --markdown >"$out/$stack.md" 2>"$out/$stack.err" || rc=$?
  fi
fi
rm -f "$out/$stack.json"
cat "$out/$stack.err" >&2
if [[ ! -s $out/$stack.md ]]; then
  # infra failed before printing a report: show its error instead.
  {
    # shellcheck disable=SC2016 # the backticks are Markdown, not command substitution
    printf '### `%s`\n\n`infra diff` exited %s before printing a report:\n\n```\n' "$stack" "$rc"
    tail -n 40 "$out/$stack.err"
    printf '```\n'
  } >"$out/$stack.md"
fi
if [[ -n $verdict ]]; then
  printf '\n> %s\n' "$verdict" >>"$out/$stack.md"
fi
rm -f "$out/$stack.err"
echo "$rc" >"$out/$stack.rc"
exit "$rc"
