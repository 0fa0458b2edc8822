# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VLAN IDs: the range a switch accepts and the pool that slices are given, defined once.

The L2 switch handler and the registry accept any 802.1Q VLAN ID (1-4094); the planner gives
slices VLANs from a smaller pool (100-3999) so that the low IDs (management, defaults) and the top
of the range stay for the operator.
"""

from __future__ import annotations

from typing import Any

VLAN_MIN = 1
VLAN_MAX = 4094
SLICE_VLAN_MIN = 100
SLICE_VLAN_MAX = 3999


def vlan_problem(value: Any) -> str | None:
    """Why `value` is not a VLAN ID a switch accepts (None when it is)."""
    if isinstance(value, bool) or not isinstance(value, int) or not VLAN_MIN <= value <= VLAN_MAX:
        return f"must be an integer {VLAN_MIN}-{VLAN_MAX}, got {value!r}"
    return None


def slice_vlans() -> range:
    """The VLAN IDs the planner allocates to slices, lowest first."""
    return range(SLICE_VLAN_MIN, SLICE_VLAN_MAX + 1)
