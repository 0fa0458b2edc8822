# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many short sessions with the direct-send (tick-free) path: no RPC may time out.

The first RPC of a session follows the hello within a millisecond or two on this path; before the
relay's probe (devel/qsafe_lab/relay.py) netconfd left ~3 in 50-80 such sessions unanswered.
"""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError

pytestmark = [pytest.mark.lab, pytest.mark.slow]

SESSIONS, RPCS = 50, 4


def test_repeated_sessions_fast_path_no_timeouts(lab):
    failures = []
    for i in range(SESSIONS):
        s = lab.session("sw-cell-1", timeout=5)
        assert s.fast_send is True  # the default
        try:
            s.connect()
            for j in range(RPCS):
                try:
                    assert "<interfaces" in s.get_config("running")
                except NetconfOperationError as exc:
                    failures.append((i, j, exc.error_tag))
                    break
        finally:
            s.close()
    assert failures == [], f"{len(failures)} of {SESSIONS} sessions failed: {failures}"
