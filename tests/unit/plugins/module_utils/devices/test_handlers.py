# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline tests of every device handler: current device XML in (fixtures/), the edit or the conflict out.

Each case feeds a get-config reply kept as a fixture file to the handler's edit() and compares the
edit with fixtures/edits/<case>.xml (canonical XML), or expects a conflict naming the reason, or
nothing to send. The same handlers run on the lab's real devices in tests/integration/devices.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    StepConflictError,
    StepInputError,
    parse_data,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import (
    HANDLERS,
    PLATFORMS,
    handler_for,
)

FIXTURES = Path(__file__).parent / "fixtures"
NOTHING = None

# case, (kind, operation), params, state, current config fixture, expected: edit fixture name
# (fixtures/edits/<case>.xml), NOTHING, or ("conflict", regex)
CASES = [
    ("vlan_create", ("l2_switch", "vlan"), {"vlan_id": 102, "name": "ent-1.backhaul"}, "present",
     "l2_switch_trunk", "vlan_create"),
    ("vlan_delete", ("l2_switch", "vlan"), {"vlan_id": 101}, "absent", "l2_switch_trunk", "vlan_delete"),
    ("vlan_delete_last", ("l2_switch", "vlan"), {"vlan_id": 100}, "absent", "l2_switch_one_vlan",
     "vlan_delete_last"),
    ("vlan_absent_already", ("l2_switch", "vlan"), {"vlan_id": 300}, "absent", "l2_switch_trunk", NOTHING),
    ("member_trunk_add", ("l2_switch", "vlan_member"), {"port": "ch2-agg-1", "vlan_id": 102}, "present",
     "l2_switch_trunk", "member_trunk_add"),
    ("member_first_vlan", ("l2_switch", "vlan_member"), {"port": "ru-1", "vlan_id": 100}, "present",
     "l2_switch_free", "member_first_vlan"),
    ("member_access", ("l2_switch", "vlan_member"), {"port": "ru-1", "vlan_id": 100, "mode": "access"},
     "present", "l2_switch_free", "member_access"),
    ("member_remove", ("l2_switch", "vlan_member"), {"port": "ch2-agg-1", "vlan_id": 101}, "absent",
     "l2_switch_trunk", "member_remove"),
    ("member_remove_last", ("l2_switch", "vlan_member"), {"port": "ch2-agg-1", "vlan_id": 100}, "absent",
     "l2_switch_one_vlan", "member_remove_last"),
    ("member_remove_last_keeps_ethernet", ("l2_switch", "vlan_member"),
     {"port": "ru-1", "vlan_id": 200, "mode": "access"}, "absent", "l2_switch_access",
     "member_remove_last_keeps_ethernet"),
    ("member_absent_already", ("l2_switch", "vlan_member"), {"port": "ch2-agg-1", "vlan_id": 300}, "absent",
     "l2_switch_trunk", NOTHING),
    ("member_trunk_on_access_port", ("l2_switch", "vlan_member"), {"port": "ru-1", "vlan_id": 100},
     "present", "l2_switch_access", ("conflict", r"port ru-1 is in ACCESS mode with VLANs \['200'\]")),
    ("member_second_access_vlan", ("l2_switch", "vlan_member"),
     {"port": "ru-1", "vlan_id": 201, "mode": "access"}, "present", "l2_switch_access",
     ("conflict", r"port ru-1 is already the access port of VLAN 200")),
    ("member_missing_port", ("l2_switch", "vlan_member"), {"port": "nope", "vlan_id": 100}, "present",
     "l2_switch_free", ("conflict", r"port nope does not exist on the switch")),
    ("xc_create", ("optical_switch", "cross_connect"), {"ingress": "sw-3", "egress": "line-ch3"}, "present",
     "optical_switch_patched", "xc_create"),
    ("xc_repatch", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch3"},
     "present", "optical_switch_patched", ("conflict", r"ingress sw-2 is already patched to line-ch2")),
    ("xc_delete", ("optical_switch", "cross_connect"), {"ingress": "sw-4", "egress": "line-ch4"}, "absent",
     "optical_switch_patched", "xc_delete"),
    ("xc_delete_last", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch2"},
     "absent", "optical_switch_one", "xc_delete_last"),
    ("xc_absent_other_patch", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch9"},
     "absent", "optical_switch_patched", NOTHING),
    ("port_encrypt_same_method", ("encryptor", "client_port"),
     {"port": "c2", "channel": "ch4", "encryption": True, "method": "qkd", "key_stream": "ks-ch4"}, "present",
     "encryptor_qkd", "port_encrypt_same_method"),
    ("port_other_method", ("encryptor", "client_port"),
     {"port": "c2", "encryption": True, "method": "dh"}, "present", "encryptor_qkd",
     ("conflict", r"the channel's key method is qkd \(ports c1\); cannot encrypt port c2 with dh")),
    ("port_clear", ("encryptor", "client_port"), {"port": "c2", "channel": "ch4"}, "present",
     "encryptor_startup", "port_clear"),
    ("port_absent_last_encrypting", ("encryptor", "client_port"), {"port": "c1"}, "absent", "encryptor_qkd",
     "port_absent_last_encrypting"),
    ("port_absent_other_still_encrypts", ("encryptor", "client_port"), {"port": "c2"}, "absent",
     "encryptor_qkd", "port_absent_other_still_encrypts"),
    ("port_missing", ("encryptor", "client_port"), {"port": "c9"}, "present", "encryptor_startup",
     ("conflict", r"client port c9 does not exist on the card")),
    ("port_wrong_channel", ("encryptor", "client_port"), {"port": "c1", "channel": "ch2"}, "present",
     "encryptor_qkd", ("conflict", r"the card carries channel ch4, the step names channel ch2")),
    ("stream_create", ("key_stream", "stream"),
     {"name": "ks-ch2", "channel": "ch2", "method": "dh", "role": "primary", "kme": "kme-a",
      "local_sae": "sae-ch2-a", "peer_sae": "sae-ch2-b", "card": "tce-ch2-a"}, "present", "empty",
     "stream_create"),
    ("stream_delete", ("key_stream", "stream"), {"name": "ks-ch2"}, "absent", "key_stream_one",
     "stream_delete"),
    ("stream_absent_already", ("key_stream", "stream"), {"name": "ks-ch3"}, "absent", "empty", NOTHING),
]

# Current OpenConfig (platform openconfig): VLANs under the default network instance.
OC_VLAN_CASES = [
    ("oc_vlan_create", ("l2_switch", "vlan"), {"vlan_id": 102, "name": "ent-1.backhaul"}, "present",
     "oc_l2_switch_two_vlans", "oc_vlan_create"),
    ("oc_vlan_delete", ("l2_switch", "vlan"), {"vlan_id": 101}, "absent", "oc_l2_switch_two_vlans",
     "oc_vlan_delete"),
    ("oc_vlan_delete_last", ("l2_switch", "vlan"), {"vlan_id": 100}, "absent", "oc_l2_switch_one_vlan",
     "oc_vlan_delete_last"),
    ("oc_vlan_absent_already", ("l2_switch", "vlan"), {"vlan_id": 300}, "absent", "oc_l2_switch_two_vlans",
     NOTHING),
    ("oc_vlan_no_instance", ("l2_switch", "vlan"), {"vlan_id": 100}, "present", "l2_switch_free",
     ("conflict", r"the switch has no network instance DEFAULT")),
]

# Current OpenConfig: a bidirectional patch is two openconfig-transport-line-connectivity connections.
OC_XC_CASES = [
    ("oc_xc_create", ("optical_switch", "cross_connect"), {"ingress": "sw-3", "egress": "line-ch3"},
     "present", "oc_optical_patched", "oc_xc_create"),
    ("oc_xc_exists", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch2"},
     "present", "oc_optical_patched", NOTHING),
    ("oc_xc_repatch", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch3"},
     "present", "oc_optical_patched", ("conflict", r"port sw-2 is already patched to line-ch2")),
    ("oc_xc_delete", ("optical_switch", "cross_connect"), {"ingress": "sw-4", "egress": "line-ch4"},
     "absent", "oc_optical_patched", "oc_xc_delete"),
    ("oc_xc_delete_last", ("optical_switch", "cross_connect"), {"ingress": "sw-2", "egress": "line-ch2"},
     "absent", "oc_optical_one", "oc_xc_delete_last"),
    ("oc_xc_absent_other_patch", ("optical_switch", "cross_connect"),
     {"ingress": "sw-2", "egress": "line-ch9"}, "absent", "oc_optical_patched", NOTHING),
]


def _platform_cases() -> list[tuple]:
    """(platform, case...): the 2016 VLAN and project optical-switch cases on openconfig_2016, the
    switched-vlan cases (the same paths in both releases) on both platforms, the other project
    models' cases on openconfig."""
    out = []
    for case in CASES:
        if case[1] in (("l2_switch", "vlan"), ("optical_switch", "cross_connect")):
            out.append(("openconfig_2016", *case))
        elif case[1] == ("l2_switch", "vlan_member"):
            out += [("openconfig", *case), ("openconfig_2016", *case)]
        else:
            out.append(("openconfig", *case))
    return out + [("openconfig", *case) for case in OC_VLAN_CASES + OC_XC_CASES]


PLATFORM_CASES = _platform_cases()


def canonical(xml: str) -> str:
    """Canonical XML (c14n 2.0, whitespace between tags dropped) of an edit's top elements."""
    wrapped = f"<config>{xml}</config>"
    return ET.canonicalize(xml_data=wrapped, strip_text=True)


def current(name: str) -> ET.Element:
    return parse_data((FIXTURES / f"{name}.xml").read_text())


@pytest.mark.parametrize(
    ("platform", "case", "key", "params", "state", "config", "expected"),
    PLATFORM_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in PLATFORM_CASES],
)
def test_edit_from_the_current_config(platform, case, key, params, state, config, expected):
    handler = handler_for(*key, platform)
    normalised = handler.validate(params, state)
    if isinstance(expected, tuple):
        with pytest.raises(StepConflictError, match=expected[1]):
            handler.edit(normalised, state, current(config))
        return
    edit = handler.edit(normalised, state, current(config))
    if expected is NOTHING:
        assert edit is None
        return
    assert edit is not None
    assert canonical(edit) == canonical((FIXTURES / "edits" / f"{expected}.xml").read_text())


def test_every_payload_builder_has_cases():
    tested = {type(handler_for(*c[2], c[0])) for c in PLATFORM_CASES}
    assert tested == {type(h) for table in PLATFORMS.values() for h in table.values()}
    assert set(PLATFORMS) == {"openconfig", "openconfig_2016"}
    assert {tuple(k) for table in PLATFORMS.values() for k in table} == set(HANDLERS)


def test_every_edit_fixture_is_used():
    used = {c[6] for c in PLATFORM_CASES if isinstance(c[6], str)}
    assert {p.stem for p in (FIXTURES / "edits").glob("*.xml")} == used


# (kind, operation), params, state, the field the error must name
BAD_INPUT = [
    (("l2_switch", "vlan"), {"vlan_id": 5000}, "present", "vlan_id"),
    (("l2_switch", "vlan"), {"vlan_id": 0}, "absent", "vlan_id"),
    (("l2_switch", "vlan"), {"vlan_id": "ten"}, "present", "vlan_id"),
    (("l2_switch", "vlan"), {"vlan_id": 7, "colour": "red"}, "present", "colour"),
    (("l2_switch", "vlan"), {"name": "no id"}, "absent", "vlan_id"),
    (("l2_switch", "vlan_member"), {"vlan_id": 7, "port": "ru-1", "mode": "hybrid"}, "present", "mode"),
    (("l2_switch", "vlan_member"), {"vlan_id": 7}, "absent", "port"),
    (("optical_switch", "cross_connect"), {"ingress": "a", "egress": "a"}, "present", "egress"),
    (("optical_switch", "cross_connect"), {"ingress": "a", "egress": "b", "bidirectional": False},
     "present", "bidirectional"),
    (("optical_switch", "cross_connect"), {"ingress": "a", "egress": "b", "bidirectional": "maybe"},
     "present", "bidirectional"),
    (("encryptor", "client_port"), {"port": "c1", "encryption": True}, "present", "method"),
    (("encryptor", "client_port"), {"port": "c1", "encryption": True, "method": "none"}, "present", "method"),
    (("encryptor", "client_port"), {"port": "c1", "method": "rot13"}, "present", "method"),
    (("encryptor", "client_port"), {"port": ""}, "present", "port"),
    (("key_stream", "stream"), {"name": "ks", "channel": "ch2"}, "present", "method"),
    (("key_stream", "stream"),
     {"name": "ks", "channel": "c", "method": "dh", "role": "primary", "kme": "k", "local_sae": "a",
      "peer_sae": "b", "card": "t", "refresh_s": 0}, "present", "refresh_s"),
    (("key_stream", "stream"), {"name": "ks", "method": "none"}, "absent", "method"),
]


@pytest.mark.parametrize(("key", "params", "state", "field"), BAD_INPUT)
def test_bad_input_names_the_field(key, params, state, field):
    with pytest.raises(StepInputError) as caught:
        handler_for(*key).validate(params, state)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_absent_needs_only_the_identity():
    handler = handler_for("key_stream", "stream")
    assert handler.validate({"name": "ks-ch2"}, "absent")["name"] == "ks-ch2"


def test_key_stream_diff_never_selects_the_status_the_script_rewrites():
    flt = handler_for("key_stream", "stream").filter({"name": "ks-ch2"})
    assert "<status" not in flt and "<refresh-interval/>" in flt


def test_encryptor_never_selects_the_key_banks():
    handler = handler_for("encryptor", "client_port")
    for flt in (handler.filter({"port": "c1"}), handler.context_filter({"port": "c1"})):
        assert "key-banks" not in flt and "key-material" not in flt


def test_resource_key_is_the_identity_fields():
    handler = handler_for("l2_switch", "vlan_member")
    assert handler.resource("sw-1", {"port": "ru-1", "vlan_id": 100, "mode": "trunk"}) == (
        "l2_switch:sw-1:vlan_member:100:ru-1"
    )


def test_platforms_share_the_concept_fields():
    for table in PLATFORMS.values():
        for key, handler in table.items():
            assert handler.argspec() == HANDLERS[key].argspec()
            assert handler.module == HANDLERS[key].module


def test_payload_builders_read_their_own_model():
    """filter() and context_filter() of every payload builder name the namespace its edit writes (a
    platform class inheriting another model's context filter would read nothing and misjudge)."""
    for platform, table in PLATFORMS.items():
        for key, handler in table.items():
            params = {"vlan_id": 7, "port": "p", "ingress": "a", "egress": "b", "name": "n"}
            params = {k: v for k, v in params.items() if k in handler.fields}
            ns = ET.fromstring(handler.filter(params)).tag.split("}")[0]  # noqa: S314 - our own filter
            ctx = handler.context_filter(params)
            assert ctx is None or ET.fromstring(ctx).tag.split("}")[0] == ns, (platform, key)  # noqa: S314


def test_unknown_platform_is_named():
    with pytest.raises(StepInputError, match="unknown device platform 'polatis' .known: openconfig, "):
        handler_for("l2_switch", "vlan", "polatis")


def test_unknown_handler_lists_the_known_ones():
    with pytest.raises(StepInputError, match=re.escape("no device handler for l2_switch/nope (known: ")):
        handler_for("l2_switch", "nope")
