# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`qkd` source: simulated QKD sections and the trusted-node one-time-pad relay.

Secret-key-rate model (per section, fibre length L km), a simplified asymptotic BB84 with
weak coherent pulses, as in textbook QKD link budgets:

    eta_ch = 10 ** (-(alpha * L + il_db) / 10)               channel transmittance
    p_sig  = 1 - exp(-mu * eta_ch * eta_det)                  detection probability per pulse
    Q      = p_sig + p_dark                                   gain
    E      = (e_opt * p_sig + p_dark / 2) / Q                 QBER (dark counts are random)
    R      = f_rep * q_sift * Q * max(0, 1 - f_ec * h2(E) - h2(E))   secret bits per second

Defaults (SkrParams) are those of a 100 MHz InGaAs system: alpha 0.2 dB/km, 1 dB
insertion loss, mu 0.5, eta_det 0.1, p_dark 1e-5, e_opt 1 %, f_ec 1.16, q_sift 0.5.
A section's pool grows at R bits/s up to its capacity, which is how the QKD key budget
shows up in the lab: pools fill over time and an exhausted section stops the relay.

Relay: the issuing KME (path[0]) hosts the trusted nodes tn-1..tn-n in its process. An
end-to-end key K is the next pad of section 1 (shared by the KME and tn-1); each trusted
node forwards K XOR (next pad of its outgoing section), the next node XORs its copy of the
same pad off again. The last hop crosses the network to the far KME over mutual TLS, which
recovers K with its copy of the last section's pad. Every hop consumes |K| bits of its
section, pads are used strictly in order and zeroed after use.

Simulation artefact (the one thing a real QKD link does not do): both ends of the last
section must hold identical section key, which real QKD achieves through the quantum
channel. The lab models the quantum channel by the tn-n end sending the freshly generated
section key to the far KME on the KME-to-KME mTLS link ("feed"), separately from and before
the relay messages that use it.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass

from qsafe_kms.secret import KeyMaterial, xor_bytes
from qsafe_kms.sources import KEY_BYTES, new_key_id


@dataclass(frozen=True)
class SkrParams:
    """Physical parameters of the secret-key-rate model (see module docstring)."""

    f_rep: float = 100e6
    alpha_db_per_km: float = 0.2
    il_db: float = 1.0
    mu: float = 0.5
    eta_det: float = 0.1
    p_dark: float = 1e-5
    e_opt: float = 0.01
    f_ec: float = 1.16
    q_sift: float = 0.5


def h2(p: float) -> float:
    """Binary entropy."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def secret_key_rate(km: float, params: SkrParams | None = None) -> float:
    """Secret key rate in bit/s of one QKD section of `km` kilometres of fibre."""
    p = params or SkrParams()
    eta_ch = 10 ** (-(p.alpha_db_per_km * km + p.il_db) / 10)
    p_sig = 1 - math.exp(-p.mu * eta_ch * p.eta_det)
    gain = p_sig + p.p_dark
    qber = (p.e_opt * p_sig + p.p_dark / 2) / gain
    return p.f_rep * p.q_sift * gain * max(0.0, 1 - p.f_ec * h2(qber) - h2(qber))


class SectionExhausted(RuntimeError):
    """A section has less key than a relay needs; nothing was consumed."""

    def __init__(self, section: str, need: int, have: int) -> None:
        super().__init__(
            f"QKD section {section} exhausted: relay needs {need} bytes of section key, {have} available"
        )
        self.section, self.need, self.have = section, need, have


class SectionPool:
    """One end of a QKD section: an ordered stream of section key with produced/consumed offsets."""

    def __init__(self, name: str, rate_bps: float, capacity_bytes: int) -> None:
        self.name = name
        self.rate_bps = rate_bps
        self.capacity = capacity_bytes
        self._buf = bytearray()
        self.consumed = 0  # absolute offset of the first unused byte
        self._carry_bits = 0.0
        self.discarded = 0  # bytes generated while the pool was full (lost, as on a real link)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SectionPool {self.name} {self.available()} bytes>"

    @property
    def produced(self) -> int:
        return self.consumed + len(self._buf)

    def available(self) -> int:
        return len(self._buf)

    def generate(self, dt_s: float) -> tuple[int, bytes]:
        """Producer end: add dt_s seconds of key at the model rate; returns (offset, new bytes) to feed."""
        with self._lock:
            self._carry_bits += self.rate_bps * dt_s
            nbytes = int(self._carry_bits // 8)
            self._carry_bits -= nbytes * 8
            room = max(0, self.capacity - len(self._buf))
            keep = min(nbytes, room)
            self.discarded += nbytes - keep
            offset = self.produced
            data = os.urandom(keep)
            self._buf += data
            return offset, data

    def feed(self, offset: int, data: bytes) -> None:
        """Far end: append section key produced at `offset` by the near end."""
        with self._lock:
            if offset != self.produced:
                raise ValueError(f"section {self.name}: feed at offset {offset}, expected {self.produced}")
            self._buf += data

    def reset(self, offset: int | None = None) -> int:
        """Zero and drop all unused key; the stream continues at `offset` (default: produced)."""
        with self._lock:
            offset = self.produced if offset is None else offset
            self._buf[:] = bytes(len(self._buf))
            self._buf = bytearray()
            self.consumed = offset
            return offset

    def take(self, n: int, offset: int | None = None) -> tuple[int, bytes]:
        """Consume the next n bytes (in order; if offset is given it must be the next one)."""
        with self._lock:
            if offset is not None and offset != self.consumed:
                raise ValueError(
                    f"section {self.name}: pad offset {offset} is not the next unused ({self.consumed})"
                )
            if len(self._buf) < n:
                raise SectionExhausted(self.name, n, len(self._buf))
            start = self.consumed
            pad = bytes(self._buf[:n])
            self._buf[:n] = bytes(n)
            del self._buf[:n]
            self.consumed += n
            return start, pad


@dataclass
class Section:
    """A QKD section between two nodes; `remote` means its far end lives in the peer KME."""

    name: str
    a: str
    b: str
    km: float
    pool: SectionPool
    remote: bool = False


def build_sections(
    path: list[str],
    km: list[float],
    params: SkrParams | None = None,
    capacity_bytes: int = 1 << 17,
    rate_override_bps: list[float] | None = None,
) -> list[Section]:
    """Sections along path (path[0] hosts the trusted nodes; the last section's far end is remote)."""
    if len(km) != len(path) - 1:
        raise ValueError("qkd_sections: km must have one entry per section (len(path) - 1)")
    sections = []
    for i, length in enumerate(km):
        rate = rate_override_bps[i] if rate_override_bps else secret_key_rate(length, params)
        name = f"{path[i]}~{path[i + 1]}"
        sections.append(
            Section(
                name, path[i], path[i + 1], length, SectionPool(name, rate, capacity_bytes), i == len(km) - 1
            )
        )
    return sections


def relay(sections: list[Section], count: int) -> list[tuple[str, KeyMaterial, dict]]:
    """Relay `count` keys from path[0] over the trusted nodes. Returns (key_ID, K, last-hop message).

    All sections are checked before any pad is consumed, so a failure leaves every pool intact.
    """
    need = count * KEY_BYTES
    bottleneck = min(sections, key=lambda s: s.pool.available())
    if bottleneck.pool.available() < need:
        raise SectionExhausted(bottleneck.name, need, bottleneck.pool.available())
    out = []
    for _key in range(count):
        kid = new_key_id()
        first_offset, key = sections[0].pool.take(KEY_BYTES)  # K: section-1 key of path[0] and node 1
        if len(sections) == 1:
            out.append((kid, KeyMaterial(key), {"key_ID": kid, "offset": first_offset, "ct": None}))
            continue
        message = None
        for hop in sections[1:]:
            offset, pad = hop.pool.take(KEY_BYTES)
            ct = xor_bytes(key, pad)  # sent by node hop.a to node hop.b
            if hop.remote:
                message = {"key_ID": kid, "offset": offset, "ct": ct}
            else:
                # hop.b is an in-process trusted node holding the same section key: it removes the pad.
                key = xor_bytes(ct, pad)
        out.append((kid, KeyMaterial(key), message))
    return out


def receive(last: SectionPool, message: dict, single_section: bool = False) -> KeyMaterial:
    """Far KME: recover K from the last hop with its copy of the last section's pad."""
    _offset, pad = last.take(KEY_BYTES, offset=int(message["offset"]))
    if single_section:
        return KeyMaterial(pad)
    return KeyMaterial(xor_bytes(message["ct"], pad))
