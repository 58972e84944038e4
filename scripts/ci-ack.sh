#!/usr/bin/env bash
# Does this pull request acknowledge a stateful replacement/deletion in STACK?
#
# usage: ci-ack.sh STACK      (exit 0: acknowledged, 1: not)
# env:   ACK_LABEL  "true" when the PR carries the label allow-stateful-replacement
#        PR_BODY    the PR description; data only, never evaluated. A line
#                   "Acknowledge-Replacement: <stack>[, <stack>...]" (key case-insensitive)
#                   acknowledges the listed stacks. There is no wildcard on purpose.
set -euo pipefail
set -f # the stack list below is split on whitespace, never globbed

stack=${1:?usage: ci-ack.sh STACK}
if [[ ${ACK_LABEL:-false} == true ]]; then
  exit 0
fi

pattern='^[[:space:]]*([A-Za-z-]+)[[:space:]]*:(.*)$'
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%$'\r'}
  [[ $line =~ $pattern ]] || continue
  key=${BASH_REMATCH[1],,}
  [[ $key == acknowledge-replacement ]] || continue
  for item in ${BASH_REMATCH[2]//,/ }; do
    if [[ $item == "$stack" ]]; then
      exit 0
    fi
  done
done <<<"${PR_BODY:-}"
exit 1
