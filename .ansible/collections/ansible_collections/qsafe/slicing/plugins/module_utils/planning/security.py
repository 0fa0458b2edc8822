# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security levels of a link, ordered weakest to strongest.

A slice asks for a *minimum* level per connection; a link qualifies when its level ranks at
least as high. The order follows the paper: no encryption, then AES-256 keyed by
Diffie-Hellman, by a quantum-resistant KEM, and by QKD.
"""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("none", "dh", "qra", "qkd")
RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
DESCRIPTIONS: dict[str, str] = {
    "none": "no encryption (10-TCE)",
    "dh": "AES-256, keys agreed by Diffie-Hellman",
    "qra": "AES-256, keys from a quantum-resistant KEM",
    "qkd": "AES-256, keys from QKD relayed over trusted nodes",
}


def rank(level: str) -> int:
    """Rank of a level; raises ValueError naming the allowed levels."""
    try:
        return RANK[level]
    except KeyError:
        raise ValueError(f"{level!r} is not one of {', '.join(LEVELS)}") from None


def meets(link_level: str, required: str) -> bool:
    return rank(link_level) >= rank(required)


def weakest(levels: list[str]) -> str:
    return min(levels, key=rank) if levels else LEVELS[-1]
