#!/usr/bin/env bash
# Online check (needs gh and network): every `uses: owner/repo@SHA # vX.Y.Z` in the
# workflows names the commit that tag points to. Run it after editing a pin by hand;
# Dependabot's bumps keep the two in step on their own.
#
# usage: scripts/verify-action-pins.sh      (exit 1 on any mismatch; 2 when it cannot ask GitHub)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Without gh, or without a session and network, every tag would look unknown: say so once.
if ! command -v gh >/dev/null; then
  echo "verify-action-pins: needs gh (https://cli.github.com), logged in, and network access" >&2
  exit 2
fi
if ! gh api rate_limit --jq .rate.limit >/dev/null 2>&1; then
  echo "verify-action-pins: gh cannot reach the GitHub API: run gh auth login (and check the network)" >&2
  exit 2
fi

status=0
while read -r ref tag; do
  repo=${ref%@*}
  sha=${ref#*@}
  IFS=/ read -r owner name _ <<<"$repo" # owner/repo[/path] -> the repository
  got=$(gh api "repos/$owner/$name/commits/$tag" --jq .sha 2>/dev/null || true)
  if [[ $got == "$sha" ]]; then
    echo "ok        $repo $tag"
  else
    echo "MISMATCH  $repo $tag: pinned $sha, tag is ${got:-unknown}"
    status=1
  fi
done < <(grep -rhoE 'uses: [^ ]+@[0-9a-f]{40} # v[0-9.]+' .github/workflows |
  sed -E 's/^uses: //; s/ # / /' | sort -u)
exit "$status"
