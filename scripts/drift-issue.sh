#!/usr/bin/env bash
# Keep one GitHub issue per drifted stack: open or update it when the drift check found
# changes, close it when the stack is back in sync.
#
# usage: drift-issue.sh STACK OUTCOME RUN_URL
#   OUTCOME: the drift preview step's outcome: success (no drift), failure (drift, or the
#            preview itself failed: the run log says which), anything else (skipped,
#            cancelled): leave the issue alone.
# env: GH_TOKEN (issues: write), GH_REPO (owner/name); needs gh and jq.
# The issue is found by label "drift" and the exact title "Drift detected: STACK".
set -euo pipefail

stack=${1:?usage: drift-issue.sh STACK OUTCOME RUN_URL}
outcome=${2:?usage: drift-issue.sh STACK OUTCOME RUN_URL}
run_url=${3:?usage: drift-issue.sh STACK OUTCOME RUN_URL}
label=drift
title="Drift detected: $stack"
now=$(date -u +%Y-%m-%dT%H:%MZ)

existing=$(gh issue list --state open --label "$label" --limit 200 --json number,title |
  jq --raw-output --arg t "$title" '[.[] | select(.title == $t)][0].number // empty')

case $outcome in
  success)
    if [[ -n $existing ]]; then
      gh issue close "$existing" --reason completed \
        --comment "No drift in \`$stack\` any more ($now, [run]($run_url)). Closing."
      echo "closed #$existing"
    else
      echo "no drift in $stack"
    fi
    ;;
  failure)
    body=$(
      cat <<MD
The scheduled drift check of stack \`$stack\` failed: \`pulumi preview --refresh --expect-no-changes\`
found changes between the live infrastructure and the desired state on \`main\`, or the preview itself
errored (the run log says which).

- Last failing check: $now, [workflow run]($run_url)
- Reconcile: re-run the deploy workflow for \`$stack\` (workflow_dispatch), or change the code to adopt the
  live values through a pull request. Do not edit resources by hand.

This issue is updated by every failing check and closed by the first clean one.
MD
    )
    if [[ -n $existing ]]; then
      gh issue edit "$existing" --body "$body" >/dev/null
      echo "updated #$existing"
    else
      gh label create "$label" --color B60205 \
        --description "Live infrastructure differs from main" --force >/dev/null
      gh issue create --title "$title" --label "$label" --body "$body"
    fi
    ;;
  *)
    echo "drift check did not run ($outcome); issues left alone"
    ;;
esac
