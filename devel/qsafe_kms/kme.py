# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One KME: ETSI GS QKD 014 key delivery logic, the peer protocol and the pool fillers.

HTTP-free on purpose (app.py maps routes to these methods), so the rules (who may get which
key, once) are in one place. All methods run on the event loop; blocking peer calls go to
worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
import uuid

from qsafe_kms.config import KmeConfig
from qsafe_kms.peer_client import PeerClient, PeerError
from qsafe_kms.secret import KeyMaterial
from qsafe_kms.sources import KEY_BYTES, METHOD_SOURCE, SOURCE_METHOD, b64d, b64e, dh, hybrid, qkd, qra
from qsafe_kms.store import Issued, KeyStore, Unit

log = logging.getLogger("qsafe_kms")

KEY_SIZE_BITS = KEY_BYTES * 8
MIN_KEY_SIZE, MAX_KEY_SIZE = 64, 1024
MAX_KEYS_PER_REQUEST = 128
EXT_SOURCE = "qsafe_key_source"
EXCHANGE_CHUNK = 32


class EtsiError(Exception):
    """An ETSI 014 error answer: HTTP status + {message, details}."""

    def __init__(self, status: int, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []

    def body(self) -> dict:
        # The spec's error body: a message and a list of detail objects (empty when none).
        return {"message": self.message, "details": list(self.details)}


_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _check_uuid(value: object, field: str) -> str:
    """A key ID in the standard text form (8-4-4-4-12 hex digits, any case on input), returned in
    the canonical lower-case form every answer uses. Braced, URN and unhyphenated spellings are
    refused rather than answered under another spelling."""
    if not isinstance(value, str) or not _UUID_TEXT.fullmatch(value):
        shown = value[:64] if isinstance(value, str) else repr(value)[:64]
        raise EtsiError(
            400,
            f"{field}: not a UUID key ID in the standard form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
            [{field: shown}],
        )
    return str(uuid.UUID(value))


def _json_int(value: object, field: str, default: int) -> int:
    """An integer parameter: absent -> default; a JSON integer, never 1.7, "2" or true."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise EtsiError(
            400, f"{field}: must be a JSON integer, got {type(value).__name__}", [{field: repr(value)[:64]}]
        )
    return value


class Kme:
    def __init__(self, cfg: KmeConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.store = KeyStore()
        self.peers = {p: PeerClient(url, cfg.ca, cfg.cert, cfg.key) for p, url in cfg.peers.items()}
        self.pairs: dict[tuple[str, str], str] = {}
        for st in cfg.streams:
            self.pairs[(st["master"], st["slave"])] = st["method"]
            self.pairs[(st["slave"], st["master"])] = st["method"]
        self.pending: dict[str, list[dict]] = {p: [] for p in self.peers}
        self._pending_event: dict[str, asyncio.Event] = {}
        self._waiters: dict[str, asyncio.Future] = {}
        self.tasks: list[asyncio.Task] = []
        self.errors: dict[str, str] = {}
        self.counters = {"enc_keys": 0, "dec_keys": 0, "refused": 0, "filled": 0, "reserved": 0, "relayed": 0}
        self.qkd_role, self.qkd_peer, self.sections = None, None, []
        self._qkd_peer_pool = 0
        self._qkd_resync: dict | None = None
        q = cfg.qkd
        if q and q.path and q.path[0] == self.name:
            self.qkd_role, self.qkd_peer = "host", q.path[-1]
            self.sections = qkd.build_sections(
                q.path, q.km, capacity_bytes=q.capacity_bytes, rate_override_bps=q.rate_override_bps
            )
        elif q and q.path and q.path[-1] == self.name:
            self.qkd_role, self.qkd_peer = "terminal", q.path[0]
            last = qkd.build_sections(
                q.path, q.km, capacity_bytes=q.capacity_bytes, rate_override_bps=q.rate_override_bps
            )[-1]
            last.pool.capacity = 1 << 62  # the far end only mirrors what the near end fed
            self.sections = [last]

    # ---------------------------------------------------------------- identity and lookups
    def _local_sae(self, caller: str | None) -> str:
        if not caller or self.cfg.saes.get(caller) != self.name:
            self.counters["refused"] += 1
            raise EtsiError(
                401,
                "client certificate does not identify an SAE served by this KME",
                [{"client_CN": caller or "", "kme": self.name}],
            )
        return caller

    def _peer_for(self, sae: str, field: str) -> str:
        kme = self.cfg.saes.get(sae)
        if kme is None:
            raise EtsiError(400, f"{field}: unknown SAE ID", [{field: sae[:64]}])
        if kme not in self.peers:
            raise EtsiError(
                400,
                f"{field}: SAE is attached to {kme}, which is not a peer of {self.name}",
                [{field: sae[:64]}],
            )
        return kme

    def _optional_source(self, optional: list | None) -> str | None:
        """qsafe_key_source from extension_optional, if it names an enabled pool; otherwise the
        KME may ignore it (the spec's rule for optional extensions) and does."""
        for ext in optional or []:
            if not isinstance(ext, dict):
                raise EtsiError(400, "extension_optional: each entry must be an object")
            value = ext.get(EXT_SOURCE)
            if value is not None:
                chosen = METHOD_SOURCE.get(str(value), str(value))
                if chosen in self.enabled_sources():
                    return chosen
        return None

    def _source_for(
        self, master: str, slave: str, mandatory: list | None, optional: list | None = None
    ) -> str:
        chosen = None
        for ext in mandatory or []:
            if not isinstance(ext, dict):
                raise EtsiError(400, "extension_mandatory: each entry must be an object")
            for name, value in ext.items():
                if name != EXT_SOURCE:
                    raise EtsiError(
                        400,
                        f"extension_mandatory: unsupported extension {name!r}",
                        [{"supported": [EXT_SOURCE]}],
                    )
                value = str(value)
                chosen = METHOD_SOURCE.get(value, value)
                if chosen not in SOURCE_METHOD:
                    raise EtsiError(
                        400,
                        f"extension_mandatory: {EXT_SOURCE} {value!r} unknown",
                        [{"known": sorted(set(SOURCE_METHOD) | set(METHOD_SOURCE))}],
                    )
        if chosen is None:
            chosen = self._optional_source(optional)
        if chosen is None:
            method = self.pairs.get((master, slave))
            if method is None:
                raise EtsiError(
                    400,
                    "no key stream is configured for this SAE pair; name a source in "
                    f'extension_mandatory [{{"{EXT_SOURCE}": ...}}]',
                    [{"master_SAE_ID": master, "slave_SAE_ID": slave[:64]}],
                )
            chosen = METHOD_SOURCE[method]
        if chosen not in self.enabled_sources():
            raise EtsiError(
                400,
                f"key source {chosen!r} is not enabled on {self.name}",
                [{"enabled": sorted(self.enabled_sources())}],
            )
        return chosen

    def enabled_sources(self) -> set[str]:
        out = set(self.cfg.sources)
        if self.qkd_role:
            out.add("qkd")
        return out

    # ---------------------------------------------------------------- ETSI 014 operations
    def status(self, caller: str | None, slave: str) -> dict:
        master = self._local_sae(caller)
        peer = self._peer_for(slave, "slave_SAE_ID")
        source = self._source_for(master, slave, None) if (master, slave) in self.pairs else None
        counts = {s: len(self.store.pool(peer, s)) for s in sorted(self.enabled_sources())}
        out = {
            "source_KME_ID": self.name,
            "target_KME_ID": peer,
            "master_SAE_ID": master,
            "slave_SAE_ID": slave,
            "key_size": KEY_SIZE_BITS,
            "stored_key_count": counts.get(source, 0) if source else sum(counts.values()),
            "max_key_count": self.cfg.pool.target,
            "max_key_per_request": MAX_KEYS_PER_REQUEST,
            "max_key_size": MAX_KEY_SIZE,
            "min_key_size": MIN_KEY_SIZE,
            "max_SAE_ID_count": 0,
            "status_extension": {EXT_SOURCE: source, "stored_key_count_by_source": counts},
        }
        return out

    def enc_keys(
        self,
        caller: str | None,
        slave: str,
        number: object = None,
        size: object = None,
        mandatory: list | None = None,
        additional_slaves: list | None = None,
        optional: list | None = None,
    ) -> dict:
        master = self._local_sae(caller)
        peer = self._peer_for(slave, "slave_SAE_ID")
        if additional_slaves is not None:
            if not isinstance(additional_slaves, list) or not all(
                isinstance(x, str) for x in additional_slaves
            ):
                raise EtsiError(400, "additional_slave_SAE_IDs: must be a list of SAE IDs")
            if additional_slaves:
                raise EtsiError(
                    400,
                    "additional_slave_SAE_IDs: key multicast is not supported (max_SAE_ID_count 0)",
                    [{"max_SAE_ID_count": 0}],
                )
        for name, value in (("extension_mandatory", mandatory), ("extension_optional", optional)):
            if value is not None and not isinstance(value, list):
                raise EtsiError(400, f"{name}: must be a list of objects")
        number = _json_int(number, "number", 1)
        if not 1 <= number <= MAX_KEYS_PER_REQUEST:
            raise EtsiError(
                400, f"number: must be between 1 and {MAX_KEYS_PER_REQUEST}", [{"number": number}]
            )
        size = _json_int(size, "size", KEY_SIZE_BITS)
        if size % 8 or not MIN_KEY_SIZE <= size <= MAX_KEY_SIZE:
            raise EtsiError(
                400,
                f"size: must be a multiple of 8 between {MIN_KEY_SIZE} and {MAX_KEY_SIZE}",
                [{"size": size}],
            )
        source = self._source_for(master, slave, mandatory, optional)
        per_key = math.ceil(size / KEY_SIZE_BITS)
        units = self.store.pop_outgoing(peer, source, number * per_key)
        if not units:
            have = len(self.store.pool(peer, source))
            raise EtsiError(
                503,
                f"no {source} keys available for {self.name} -> {peer}: {have} stored, "
                f"{number * per_key} needed; the pool refills in the background, retry later",
                [{"key_source": source, "stored_key_count": have}],
            )
        keys, reservations = [], []
        for i in range(number):
            group = units[i * per_key : (i + 1) * per_key]
            key_id = group[0].key_id if per_key == 1 and size == KEY_SIZE_BITS else str(uuid.uuid4())
            material = b"".join(u.material.reveal() for u in group)[: size // 8]
            ext = {EXT_SOURCE: source}
            if group[0].extension and per_key == 1:
                ext.update(group[0].extension)
            keys.append({"key_ID": key_id, "key": b64e(material), "key_ID_extension": ext})
            reservations.append(
                {
                    "key_ID": key_id,
                    "units": [u.key_id for u in group],
                    "size": size,
                    "master_SAE_ID": master,
                    "slave_SAE_ID": slave,
                    "source": source,
                }
            )
            for u in group:
                u.erase()
        self.pending[peer].extend(reservations)
        ev = self._pending_event.get(peer)
        if ev:
            ev.set()
        self.counters["enc_keys"] += number
        return {"keys": keys}

    async def dec_keys(self, caller: str | None, master: str, key_ids: list) -> dict:
        slave = self._local_sae(caller)
        if not isinstance(key_ids, list) or not key_ids:
            raise EtsiError(400, "key_IDs: at least one key_ID is required")
        if len(key_ids) > MAX_KEYS_PER_REQUEST:
            raise EtsiError(400, f"key_IDs: at most {MAX_KEYS_PER_REQUEST} per request")
        ids = [_check_uuid(k, "key_ID") for k in key_ids]
        if len(set(ids)) != len(ids):
            raise EtsiError(400, "key_IDs: the same key_ID is listed twice")
        missing = [k for k in ids if k not in self.store.issued]
        if missing:
            await self._wait_reserved(missing)
        for kid in ids:
            issued = self.store.issued.get(kid)
            if issued is None:
                raise EtsiError(
                    400,
                    "key_ID not found: never issued for this KME, already delivered or expired",
                    [{"key_ID": kid}],
                )
            if issued.slave != slave or issued.master != master:
                self.counters["refused"] += 1
                raise EtsiError(401, "key_ID was not issued for this SAE pair", [{"key_ID": kid}])
        keys = []
        for kid in ids:
            issued = self.store.issued.pop(kid)
            ext = {EXT_SOURCE: issued.source}
            if issued.extension:
                ext.update(issued.extension)
            keys.append({"key_ID": kid, "key": b64e(issued.material.reveal()), "key_ID_extension": ext})
            issued.material.erase()
        self.counters["dec_keys"] += len(keys)
        return {"keys": keys}

    async def _wait_reserved(self, ids: list[str]) -> None:
        loop = asyncio.get_running_loop()
        futs = []
        for kid in ids:
            fut = self._waiters.get(kid)
            if fut is None or fut.done():
                fut = self._waiters[kid] = loop.create_future()
            futs.append(fut)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*futs), self.cfg.reservation_wait_s)
        for kid in ids:
            self._waiters.pop(kid, None)

    # ---------------------------------------------------------------- peer protocol (responder side)
    def _check_peer(self, caller: str | None) -> str:
        if caller not in self.peers:
            raise EtsiError(401, "peer endpoints are for peer KMEs only", [{"client_CN": caller or ""}])
        return caller

    def peer_exchange(self, caller: str | None, body: dict) -> dict:
        peer = self._check_peer(caller)
        source = str(body.get("source"))
        if source == dh.NAME:
            keys, response = dh.respond(body)
        elif source in qra.KEMS:
            keys, response = qra.respond(body)
        else:
            raise EtsiError(400, f"source: {source!r} cannot be exchanged")
        self.store.add_incoming([Unit(kid, source, peer, m) for kid, m in keys])
        return response

    def peer_hybrid(self, caller: str | None, body: dict) -> dict:
        peer = self._check_peer(caller)
        made = 0
        for item in body.get("items", []):
            inputs = []
            for src, kid in item["inputs"]:
                unit = self.store.pop_incoming(str(kid), peer)
                if unit is None or unit.source != src:
                    for u in inputs:
                        u.erase()
                    inputs = None
                    break
                inputs.append(unit)
            if not inputs:
                self.errors["hybrid"] = f"hybrid {item['key_ID']}: an input key is missing"
                continue
            material = hybrid.combine(item["key_ID"], [(u.source, u.key_id, u.material) for u in inputs])
            ext = {"qsafe_source_key_IDs": [[u.source, u.key_id] for u in inputs]}
            for u in inputs:
                u.erase()
            self.store.add_incoming([Unit(item["key_ID"], "hybrid", peer, material, extension=ext)])
            made += 1
        return {"made": made}

    def peer_qkd(self, caller: str | None, body: dict) -> dict:
        peer = self._check_peer(caller)
        if self.qkd_role != "terminal" or peer != self.qkd_peer:
            raise EtsiError(400, f"{self.name} terminates no QKD path from {peer}")
        last = self.sections[-1].pool
        single = len(self.cfg.qkd.km) == 1
        if body.get("resync"):
            last.reset(int(body["resync"]["offset"]))
        for feed in body.get("feeds", []):
            last.feed(int(feed["offset"]), b64d(feed["data"]))
        mine, theirs = [], []
        for msg in body.get("relays", []):
            m = {
                "key_ID": msg["key_ID"],
                "offset": msg["offset"],
                "ct": b64d(msg["ct"]) if msg["ct"] else None,
            }
            material = qkd.receive(last, m, single)
            unit = Unit(str(msg["key_ID"]), "qkd", peer, material)
            (mine if msg["owner"] == self.name else theirs).append(unit)
        self.store.add_outgoing(mine)
        self.store.add_incoming(theirs)
        return {"pool": len(self.store.pool(peer, "qkd")), "section_bytes": last.available()}

    def peer_reservations(self, caller: str | None, body: dict) -> dict:
        peer = self._check_peer(caller)
        ok = 0
        for r in body.get("items", []):
            units = [self.store.pop_incoming(str(k), peer) for k in r["units"]]
            if any(u is None for u in units):
                for u in units:
                    if u:
                        u.erase()
                self.errors["reservations"] = f"reservation {r['key_ID']}: unit missing"
                continue
            material = KeyMaterial(b"".join(u.material.reveal() for u in units)[: int(r["size"]) // 8])
            ext = units[0].extension if len(units) == 1 else None
            for u in units:
                u.erase()
            self.store.issued[r["key_ID"]] = Issued(
                r["key_ID"],
                r["master_SAE_ID"],
                r["slave_SAE_ID"],
                r["source"],
                material,
                time.monotonic() + self.cfg.issued_ttl_s,
                ext,
            )
            fut = self._waiters.get(r["key_ID"])
            if fut and not fut.done():
                fut.set_result(True)
            ok += 1
        self.counters["reserved"] += ok
        return {"reserved": ok}

    # ---------------------------------------------------------------- background work (initiator side)
    async def start(self) -> None:
        for peer in self.peers:
            self._pending_event[peer] = asyncio.Event()
            self.tasks.append(asyncio.create_task(self._send_reservations(peer)))
            for source in self.cfg.sources:
                if source == dh.NAME or source in qra.KEMS:
                    self.tasks.append(asyncio.create_task(self._fill_exchange(peer, source)))
            if "hybrid" in self.cfg.sources:
                self.tasks.append(asyncio.create_task(self._fill_hybrid(peer)))
        if self.qkd_role == "host":
            self.tasks.append(asyncio.create_task(self._qkd_loop()))
        self.tasks.append(asyncio.create_task(self._janitor()))

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for pool in self.store.outgoing.values():
            for u in pool.values():
                u.erase()
        for u in self.store.incoming.values():
            u.erase()
        for i in self.store.issued.values():
            i.material.erase()

    def _need(self, peer: str, source: str) -> int:
        # Top up towards target, but not for a handful of keys: exchanges are batched.
        missing = self.cfg.pool.target - len(self.store.pool(peer, source))
        return min(self.cfg.pool.batch, missing) if missing >= max(1, self.cfg.pool.batch // 4) else 0

    async def _fill_exchange(self, peer: str, source: str) -> None:
        task = f"fill {source} -> {peer}"
        while True:
            # At most EXCHANGE_CHUNK keys per round trip: the KEM/DH arithmetic runs on the event
            # loop on both ends, and small chunks keep each stall short (SAE latency p99).
            n = min(self._need(peer, source), EXCHANGE_CHUNK)
            if n <= 0:
                await asyncio.sleep(0.05)
                continue
            try:
                if source == dh.NAME:
                    state, req = dh.initiate(n)
                    resp = await asyncio.to_thread(self.peers[peer].post, "/peer/v1/exchange", req)
                    keys = dh.finish(state, resp)
                else:
                    state, req = qra.initiate(source, n)
                    resp = await asyncio.to_thread(self.peers[peer].post, "/peer/v1/exchange", req)
                    keys = qra.finish(state, resp)
            except (PeerError, KeyError, ValueError) as exc:
                self.errors[task] = str(exc)
                await asyncio.sleep(0.5)
                continue
            self.errors.pop(task, None)
            self.store.add_outgoing([Unit(kid, source, peer, m) for kid, m in keys])
            self.counters["filled"] += len(keys)

    async def _fill_hybrid(self, peer: str) -> None:
        task = f"fill hybrid -> {peer}"
        inputs_src = self.cfg.hybrid_inputs
        while True:
            n = self._need(peer, "hybrid")
            # Hybrid keys use only the inputs' surplus above their low-water mark, so mixing never
            # starves the channels that need a plain QKD or QRA key.
            n = min([n] + [len(self.store.pool(peer, s)) - self.cfg.pool.low for s in inputs_src])
            if n <= 0:
                await asyncio.sleep(0.05)
                continue
            made, items = [], []
            for _key in range(n):
                parts = [self.store.pop_outgoing(peer, s, 1)[0] for s in inputs_src]
                kid = str(uuid.uuid4())
                material = hybrid.combine(kid, [(u.source, u.key_id, u.material) for u in parts])
                ext = {"qsafe_source_key_IDs": [[u.source, u.key_id] for u in parts]}
                items.append({"key_ID": kid, "inputs": [[u.source, u.key_id] for u in parts]})
                made.append(Unit(kid, "hybrid", peer, material, extension=ext))
                for u in parts:
                    u.erase()
            try:
                await asyncio.to_thread(self.peers[peer].post, "/peer/v1/hybrid", {"items": items})
            except PeerError as exc:
                self.errors[task] = str(exc)
                for u in made:
                    u.erase()
                await asyncio.sleep(0.5)
                continue
            self.errors.pop(task, None)
            self.store.add_outgoing(made)
            self.counters["filled"] += len(made)

    async def _send_reservations(self, peer: str) -> None:
        ev = self._pending_event[peer]
        while True:
            await ev.wait()
            ev.clear()
            batch, self.pending[peer] = self.pending[peer], []
            if not batch:
                continue
            for attempt in range(3):
                try:
                    await asyncio.to_thread(self.peers[peer].post, "/peer/v1/reservations", {"items": batch})
                    self.errors.pop(f"reservations -> {peer}", None)
                    break
                except PeerError as exc:
                    self.errors[f"reservations -> {peer}"] = str(exc)
                    await asyncio.sleep(0.2 * (attempt + 1))

    async def _qkd_loop(self) -> None:
        peer, tick = self.qkd_peer, self.cfg.qkd.tick_s
        last_t = time.monotonic()
        owner_turn = 0
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            dt, last_t = now - last_t, now
            feeds = []
            for s in self.sections:
                offset, data = s.pool.generate(dt)
                if s.remote and data:
                    feeds.append({"section": s.name, "offset": offset, "data": b64e(data)})
            own_need = self._need(peer, "qkd")
            peer_missing = self.cfg.pool.target - self._qkd_peer_pool
            peer_need = (
                min(self.cfg.pool.batch, peer_missing) if peer_missing >= self.cfg.pool.batch // 4 else 0
            )
            want = [(self.name, own_need), (peer, peer_need)]
            if owner_turn % 2:
                want.reverse()
            owner_turn += 1
            relays, units = [], []
            for owner, n in want:
                if n <= 0:
                    continue
                possible = min(s.pool.available() for s in self.sections) // KEY_BYTES
                try:
                    out = qkd.relay(self.sections, n)
                except qkd.SectionExhausted as exc:
                    self.errors["qkd relay"] = str(exc)
                    if possible <= 0:
                        continue
                    out = qkd.relay(self.sections, possible)
                else:
                    self.errors.pop("qkd relay", None)
                for kid, material, msg in out:
                    relays.append(
                        {
                            "key_ID": kid,
                            "offset": msg["offset"],
                            "owner": owner,
                            "ct": b64e(msg["ct"]) if msg["ct"] is not None else None,
                        }
                    )
                    units.append((owner, Unit(kid, "qkd", peer, material)))
            # Keys the peer will own must be in our incoming cache before the peer can issue them.
            theirs = [u for o, u in units if o != self.name]
            self.store.add_incoming(theirs)
            body = {"feeds": feeds, "relays": relays}
            if self._qkd_resync:
                body["resync"] = self._qkd_resync
            try:
                resp = await asyncio.to_thread(self.peers[peer].post, "/peer/v1/qkd", body)
            except PeerError as exc:
                self.errors["qkd link"] = str(exc)
                for _owner, u in units:
                    self.store.incoming.pop(u.key_id, None)
                    u.erase()
                # The far end may or may not have applied this message: both ends drop the unused
                # key of the last section and restart it at the same offset.
                offset = self.sections[-1].pool.reset()
                self._qkd_resync = {"section": self.sections[-1].name, "offset": offset}
                continue
            self._qkd_resync = None
            self.errors.pop("qkd link", None)
            self._qkd_peer_pool = int(resp.get("pool", 0))
            self.store.add_outgoing([u for o, u in units if o == self.name])
            self.counters["relayed"] += len(units)

    async def _janitor(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.store.expire(time.monotonic(), self.cfg.pool_max_age_s)
            for kid in [k for k, f in self._waiters.items() if f.done()]:
                self._waiters.pop(kid, None)

    def health(self) -> dict:
        """Counts and errors only (no key IDs, no key material): for the lab and the bench."""
        return {
            "name": self.name,
            "counters": dict(self.counters),
            "errors": dict(self.errors),
            "pools": {f"{p}/{s}": len(pool) for (p, s), pool in self.store.outgoing.items()},
            "incoming": len(self.store.incoming),
            "issued": len(self.store.issued),
            "qkd_sections": {
                s.name: {
                    "bytes": s.pool.available(),
                    "rate_bps": round(s.pool.rate_bps, 1),
                    "consumed": s.pool.consumed,
                    "discarded": s.pool.discarded,
                }
                for s in self.sections
            },
        }
