"""What `infra diff --markdown` writes and scripts/build_pr_comment.py reads back (standard
library only: the script runs outside the virtualenv)."""

from __future__ import annotations

from typing import Final

# The first line of each stack's Markdown: a hidden JSON record of why the stack's check is red
# and the review line acknowledging its stateful risks; the comment's first line gathers them.
REASONS_MARKER: Final = "<!-- infra-diff-reasons: "
REASONS_END: Final = " -->"
# The review trailer scripts/ci_ack.py reads.
ACK_TRAILER: Final = "Acknowledge-Replacement"
