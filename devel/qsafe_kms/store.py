# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory key caches of one KME, keyed by UUID key ID.

- outgoing[(peer, source)]: keys this KME may issue to a master SAE (its peer holds the same
  key in its `incoming` cache);
- incoming[key_ID]: keys the peer may issue; they wait here until the peer's reservation
  names the slave SAE;
- issued[key_ID]: keys reserved for one (master, slave) pair, waiting for dec_keys.
Erasing a unit zeroises its bytes. Nothing here is ever written anywhere.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from qsafe_kms.secret import KeyMaterial


@dataclass(eq=False)
class Unit:
    """One 256-bit key from a source, shared with exactly one peer KME."""

    key_id: str
    source: str
    peer: str
    material: KeyMaterial = field(repr=False)
    created: float = field(default_factory=time.monotonic)
    extension: dict | None = None  # e.g. hybrid: which source key IDs went in

    def erase(self) -> None:
        self.material.erase()


@dataclass(eq=False)
class Issued:
    """A key reserved for delivery to one slave SAE (on the slave's KME)."""

    key_id: str
    master: str
    slave: str
    source: str
    material: KeyMaterial = field(repr=False)
    expires: float
    extension: dict | None = None


class KeyStore:
    def __init__(self) -> None:
        self.outgoing: dict[tuple[str, str], OrderedDict[str, Unit]] = {}
        self.incoming: dict[str, Unit] = {}
        self.issued: dict[str, Issued] = {}
        self.erased = 0

    def pool(self, peer: str, source: str) -> OrderedDict[str, Unit]:
        return self.outgoing.setdefault((peer, source), OrderedDict())

    def add_outgoing(self, units: list[Unit]) -> None:
        for u in units:
            self.pool(u.peer, u.source)[u.key_id] = u

    def add_incoming(self, units: list[Unit]) -> None:
        for u in units:
            if u.key_id in self.incoming:
                raise ValueError(f"duplicate key_ID {u.key_id} from peer {u.peer}")
            self.incoming[u.key_id] = u

    def pop_outgoing(self, peer: str, source: str, count: int) -> list[Unit]:
        pool = self.pool(peer, source)
        if len(pool) < count:
            return []
        return [pool.popitem(last=False)[1] for _key in range(count)]

    def pop_incoming(self, key_id: str, peer: str) -> Unit | None:
        unit = self.incoming.get(key_id)
        if unit is None or unit.peer != peer:
            return None
        return self.incoming.pop(key_id)

    def expire(self, now: float, pool_max_age_s: float) -> int:
        """Erase issued keys past their deadline and pool keys older than pool_max_age_s."""
        n = 0
        for kid in [k for k, v in self.issued.items() if v.expires <= now]:
            self.issued.pop(kid).material.erase()
            n += 1
        horizon = now - pool_max_age_s
        for pool in self.outgoing.values():
            while pool and next(iter(pool.values())).created <= horizon:
                pool.popitem(last=False)[1].erase()
                n += 1
        for kid in [k for k, v in self.incoming.items() if v.created <= horizon]:
            self.incoming.pop(kid).erase()
            n += 1
        self.erased += n
        return n
