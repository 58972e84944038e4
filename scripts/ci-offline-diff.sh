#!/usr/bin/env bash
# Offline desired-state diff of one stack for a pull request (no cloud access, no secrets).
#
# usage: ci-offline-diff.sh STACK BASE_REF OUT_DIR
# env:   ACK_LABEL, PR_BODY  see scripts/ci-ack.sh
#        INFRA               the infra console script (default .venv/bin/infra)
# Writes OUT_DIR/STACK.md (Markdown for the PR comment and job summary) and OUT_DIR/STACK.rc
# (infra diff's exit code), and exits with that code: 0 clean, 1 mandatory policy
# violation, 2 error, 3 unacknowledged replacement/deletion of a stateful resource.
# staging and prod run with --strict; --ack is added when the PR acknowledges the stack.
set -euo pipefail

stack=${1:?usage: ci-offline-diff.sh STACK BASE_REF OUT_DIR}
base=${2:?usage: ci-offline-diff.sh STACK BASE_REF OUT_DIR}
out=${3:?usage: ci-offline-diff.sh STACK BASE_REF OUT_DIR}
infra=${INFRA:-.venv/bin/infra}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
  echo "ci-offline-diff: invalid stack name" >&2
  exit 2
fi
mkdir -p "$out"

args=(diff --base "$base" --stack "$stack" --markdown)
case $stack in
  staging | prod) args+=(--strict) ;;
esac
if "$here/ci-ack.sh" "$stack"; then
  args+=(--ack)
  echo "stateful replacement acknowledged for $stack" >&2
fi

rc=0
"$infra" "${args[@]}" >"$out/$stack.md" 2>"$out/$stack.err" || rc=$?
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
rm -f "$out/$stack.err"
echo "$rc" >"$out/$stack.rc"
exit "$rc"
