# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration of one KME process (a JSON file written by the lab hook; no secrets in it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qsafe_kms.sources import METHOD_SOURCE, SOURCE_METHOD


@dataclass
class PoolSettings:
    """Per (peer, source) pool sizing: refill below `low`, up to `target`, `batch` keys per exchange."""

    target: int = 512
    low: int = 256
    batch: int = 64


@dataclass
class QkdSettings:
    """QKD sections this KME hosts (only on path[0]) or terminates (path[-1])."""

    path: list[str]
    km: list[float]
    capacity_bytes: int = 1 << 17
    tick_s: float = 0.2
    rate_override_bps: list[float] | None = None


@dataclass
class KmeConfig:
    name: str
    cert: str
    key: str
    ca: str
    peers: dict[str, str]  # peer KME name -> base URL
    saes: dict[str, str]  # SAE ID -> KME name (the SAE directory)
    streams: list[dict]  # [{"master": sae, "slave": sae, "method": m}] from the topology key streams
    sources: list[str] = field(default_factory=lambda: [s for s in SOURCE_METHOD if s != "qkd"])
    pool: PoolSettings = field(default_factory=PoolSettings)
    qkd: QkdSettings | None = None
    issued_ttl_s: float = 120.0
    pool_max_age_s: float = 3600.0
    reservation_wait_s: float = 2.0
    hybrid_inputs: list[str] = field(default_factory=lambda: ["qkd", "qra-mlkem768"])

    @classmethod
    def load(cls, path: Path) -> KmeConfig:
        raw = json.loads(Path(path).read_text())
        raw["pool"] = PoolSettings(**raw.get("pool", {}))
        if raw.get("qkd"):
            raw["qkd"] = QkdSettings(**raw["qkd"])
        cfg = cls(**raw)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        for src in self.sources:
            if src not in SOURCE_METHOD:
                raise ValueError(f"sources: unknown key source {src!r} (known: {sorted(SOURCE_METHOD)})")
        for st in self.streams:
            if st.get("method") not in METHOD_SOURCE:
                raise ValueError(
                    f"streams: method {st.get('method')!r} unknown (known: {sorted(METHOD_SOURCE)})"
                )
        if "hybrid" in self.sources and len(self.hybrid_inputs) < 2:
            raise ValueError("hybrid_inputs: a hybrid key needs at least two input sources")
