#!/usr/bin/env bash
# pre-commit hook: run the offline preview + policy pack for every stack the staged change
# touches (`python -m infra affected --staged`, the same rules as CI). Blocks the commit on
# a mandatory policy violation (exit 1) or an error (exit 2). Docs-, test- and tooling-only
# commits touch no stack and cost nothing.
#
# pre-commit stashes unstaged changes first, so the preview sees exactly what is committed.
# Filenames passed by pre-commit are ignored on purpose: `git diff --cached` also reports
# deleted and renamed-away files, which pre-commit does not pass.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
cd "$root"
python=${PYTHON:-.venv/bin/python}
infra=${INFRA:-.venv/bin/infra}

affected=$("$python" -m infra affected --staged)
if [[ -z $affected ]]; then
  exit 0
fi
mapfile -t stacks <<<"$affected"
echo "policy gate: previewing ${stacks[*]}"
args=()
for stack in "${stacks[@]}"; do
  args+=(--stack "$stack")
done
"$infra" preview "${args[@]}" --violations-only
