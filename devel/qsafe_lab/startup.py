# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render each device's startup configuration (XML) from the topology.

Ports, interfaces and channel settings that exist physically are pre-created, so that device steps
only ever configure services (VLANs, cross-connects, encryption) on existing ports. NACM rules are
part of every startup file: they are what makes the encryptor key leaf write-only.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from qsafe_lab.inventory import Device

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
OC_IF_NS = "http://openconfig.net/yang/interfaces"
IANA_IF_NS = "urn:ietf:params:xml:ns:yang:iana-if-type"
OTS_NS = "urn:qsafe:yang:optical-switch"
ENC_NS = "urn:qsafe:yang:encryptor"
KS_NS = "urn:qsafe:yang:key-stream"
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"

# NETCONF user names as netconfd and NACM see them (chosen by the SSH key used, see keys.py).
OPERATOR_USER = "qsafe-operator"
KEYSCRIPT_USER = "qsafe-keyscript"

# YANG modules each device kind loads (the lab loads them with --module; imports follow).
KIND_MODULES: dict[str, list[str]] = {
    "l2_switch": [
        "openconfig-interfaces",
        "openconfig-if-ethernet",
        "openconfig-vlan",
        "openconfig-network-instance",
    ],
    "optical_switch": ["openconfig-transport-line-connectivity"],
    "encryptor": ["qsafe-encryptor"],
    "key_host": ["qsafe-key-stream"],
    "key_bank": ["qsafe-encryptor"],
}
# Where a platform's kind loads other modules than KIND_MODULES says.
PLATFORM_KIND_MODULES: dict[tuple[str, str], list[str]] = {
    ("openconfig_2016", "l2_switch"): ["openconfig-interfaces", "openconfig-if-ethernet", "openconfig-vlan"],
    ("openconfig_2016", "optical_switch"): ["qsafe-optical-switch"],
}
OC_NI_NS = "http://openconfig.net/yang/network-instance"
OC_NI_TYPES_NS = "http://openconfig.net/yang/network-instance-types"
# The network instance that holds a switch's VLANs (as the collection's openconfig platform expects).
DEFAULT_INSTANCE = "DEFAULT"


def kind_modules(kind: str, platform: str) -> list[str]:
    return PLATFORM_KIND_MODULES.get((platform, kind), KIND_MODULES[kind])
# An encryptor's key banks live in a second netconfd of the card, its key-bank agent (see
# device.py): named <card><KEY_BANK_SUFFIX> in the lab's files, reached on the card's key_bank_port.
KEY_BANK_SUFFIX = "-keys"


def switch_ports(topology: dict[str, Any], switch: str) -> list[tuple[str, str]]:
    """(port, description) of an L2 switch: its site's local port, then link ports in topology order."""
    ports: dict[str, str] = {}
    for site in topology.get("sites", []):
        if site.get("switch") == switch and site.get("local_port"):
            ports.setdefault(site["local_port"], f"local port of site {site['name']}")
    for link in topology.get("links", []):
        devs = link.get("devices") or {}
        for end in ("a", "b"):
            ep = devs.get(end) or {}
            if ep.get("switch") == switch and ep.get("port"):
                ports.setdefault(ep["port"], f"link {link['name']}")
    return list(ports.items())


def optical_ports(topology: dict[str, Any], device: str) -> list[tuple[str, str, str]]:
    """(port, role, description) of an optical switch from links[].devices.optical."""
    ports: dict[str, tuple[str, str]] = {}
    for link in topology.get("links", []):
        opt = (link.get("devices") or {}).get("optical") or {}
        if opt.get("device") != device:
            continue
        if opt.get("switch_port"):
            ports.setdefault(opt["switch_port"], ("switch-side", f"link {link['name']}"))
        if opt.get("line_port"):
            ports.setdefault(opt["line_port"], ("line-side", f"link {link['name']}"))
    return [(name, role, desc) for name, (role, desc) in ports.items()]


def card_channel(topology: dict[str, Any], card: str) -> dict[str, Any] | None:
    for ch in topology.get("channels", []):
        if card in (ch.get("cards") or {}).values():
            return ch
    return None


# The administrative identity: netconfd's --superuser (NACM does not apply to it), so the only one
# that may change NACM or copy / delete whole datastores. The lab creates its key and lab.json
# names it for tests; no inventory and nothing in the collection uses it.
ADMIN_USER = "qsafe-admin"

# Every RPC not listed here is refused (exec-default deny): copy-config (running -> startup puts
# keys in a file, a config copied into running skips the edit checks), delete-config,
# kill-session (ends the key script's session), yuma123's load / restart / shutdown /
# set-log-level, partial-lock and whatever a later netconfd adds.
OPERATOR_RPCS = (
    "get",
    "get-config",
    "edit-config",
    "lock",
    "unlock",
    "commit",
    "cancel-commit",
    "discard-changes",
    "validate",
    "close-session",
    "get-schema",
)
KEYSCRIPT_RPCS = (
    "get",
    "get-config",
    "edit-config",
    "lock",
    "unlock",
    "commit",
    "discard-changes",
    "close-session",
)
# On a card's key-bank agent (writable running, see device.py) the operator only reads.
KEY_BANK_RPCS = {
    "operators": ("get", "get-config", "close-session", "get-schema"),
    "key-scripts": ("get", "get-config", "edit-config", "lock", "unlock", "close-session"),
}


def _rule(name: str, body: str, action: str) -> str:
    return f"        <rule><name>{name}</name>{body}<action>{action}</action></rule>\n"


def _rule_list(group: str, rules: str) -> str:
    # One group per rule-list: this netconfd only ever looks at a rule-list's first <group>.
    head = f"    <rule-list>\n      <name>{group}</name>\n      <group>{group}</group>\n"
    return f"{head}{rules}    </rule-list>\n"


def _rpc_permits(rpcs: tuple[str, ...]) -> str:
    # module-name "*": netconfd names the base RPCs' module yuma123-netconf, not ietf-netconf.
    return "".join(
        _rule(
            f"rpc-{rpc}",
            f"<module-name>*</module-name><rpc-name>{rpc}</rpc-name>"
            "<access-operations>exec</access-operations>",
            "permit",
        )
        for rpc in rpcs
    )


def _data_rule(name: str, ns_prefix: str, ns: str, path: str, ops: str, action: str, module: str) -> str:
    return _rule(
        name,
        f"<module-name>{module}</module-name>"
        f'<path xmlns:{ns_prefix}="{ns}">{path}</path><access-operations>{ops}</access-operations>',
        action,
    )


def nacm_xml(kind: str) -> str:
    """NACM of every lab device: see docs/lab.md "Access control" for the rule set and why.

    How this netconfd (yuma123 2.13) really behaves, measured in the lab (see docs/lab.md):
    - nothing protects /nacm itself: with write-default permit any user can rewrite the rules, so
      every access to /nacm is denied explicitly to both groups; only the superuser changes NACM;
    - an RPC rule that matches grants exec whenever its access-operations contains "exec", whatever
      its action says, and a rule-list only counts its first group: so RPCs are an allow-list
      (exec-default deny, one permit rule per RPC, one rule-list per group), which means the same
      on a server that follows RFC 8341;
    - it does not know ietf-netconf-acm's `default-deny-all`; it enforces yuma's `very-secure`
      only when the using module spells it `nacm:very-secure` (it matches the prefix text), which
      is why qsafe-encryptor imports yuma-nacm with prefix `nacm`. Such a node is denied to
      everybody (read and write) unless a rule permits the access;
    - a data rule's <path> is evaluated against the datastore before the edit, so it never
      matches a node being created: the key leaves exist from start-up (zero placeholder) and the
      key script only ever *updates* them;
    - a read-deny rule on a leaf hides all its ancestors (the whole <encryptor>), so there is no
      explicit read rule for key material: no rule permits `read`, and very-secure denies it.
    `kind` "key_bank" is an encryptor's key-bank agent (see device.py): a writable-running datastore
    that only the key script writes (write-default deny) and the operator only reads.
    """
    if kind == "key_bank":
        banks = "/qenc:encryptor/qenc:key-banks/qenc:bank"
        key_writes = _data_rule(
            "write-key-material",
            "qenc",
            ENC_NS,
            f"{banks}/qenc:key-material",
            "update",
            "permit",
            "qsafe-encryptor",
        )
        lists = _rule_list("operators", _rpc_permits(KEY_BANK_RPCS["operators"])) + _rule_list(
            "key-scripts", key_writes + _rpc_permits(KEY_BANK_RPCS["key-scripts"])
        )
    else:
        lists = _rule_list("operators", _rpc_permits(OPERATOR_RPCS)) + _rule_list(
            "key-scripts", _rpc_permits(KEYSCRIPT_RPCS)
        )
    return f"""  <nacm xmlns="{NACM_NS}">
    <enable-nacm>true</enable-nacm>
    <read-default>permit</read-default>
    <write-default>permit</write-default>
    <exec-default>deny</exec-default>
    <groups>
      <group><name>operators</name><user-name>{OPERATOR_USER}</user-name></group>
      <group><name>key-scripts</name><user-name>{KEYSCRIPT_USER}</user-name></group>
    </groups>
{lists}  </nacm>
"""


def _l2_switch(topology: dict[str, Any], dev: Device) -> str:
    items = []
    for port, desc in switch_ports(topology, dev.name):
        items.append(
            f"""    <interface>
      <name>{escape(port)}</name>
      <config>
        <name>{escape(port)}</name>
        <type xmlns:ianaift="{IANA_IF_NS}">ianaift:ethernetCsmacd</type>
        <description>{escape(desc)}</description>
        <enabled>true</enabled>
      </config>
    </interface>
"""
        )
    interfaces = f'  <interfaces xmlns="{OC_IF_NS}">\n{"".join(items)}  </interfaces>\n'
    if str(dev.hostvars.get("qsafe_platform") or "openconfig") == "openconfig_2016":
        return interfaces
    # Current OpenConfig: VLANs live in a network instance; the switch's default one exists.
    return interfaces + (
        f'  <network-instances xmlns="{OC_NI_NS}">\n'
        f"    <network-instance>\n"
        f"      <name>{DEFAULT_INSTANCE}</name>\n"
        f"      <config>\n"
        f"        <name>{DEFAULT_INSTANCE}</name>\n"
        f'        <type xmlns:oc-ni-types="{OC_NI_TYPES_NS}">oc-ni-types:DEFAULT_INSTANCE</type>\n'
        f"      </config>\n"
        f"    </network-instance>\n"
        f"  </network-instances>\n"
    )


def _optical_switch(topology: dict[str, Any], dev: Device) -> str:
    if str(dev.hostvars.get("qsafe_platform") or "openconfig") != "openconfig_2016":
        # openconfig-transport-line-connectivity has connections only (ports would be components of
        # openconfig-platform, which this netconfd cannot load, docs/lab.md): nothing at start-up.
        return ""
    items = "".join(
        f"      <port><name>{escape(p)}</name><role>{role}</role><enabled>true</enabled>"
        f"<description>{escape(desc)}</description></port>\n"
        for p, role, desc in optical_ports(topology, dev.name)
    )
    return f'  <optical-switch xmlns="{OTS_NS}">\n    <ports>\n{items}    </ports>\n  </optical-switch>\n'


# Both key banks exist from start-up in the key-bank agent with an all-zero placeholder key (not a
# secret): the key-script NACM rule only matches a key leaf that already exists (see nacm_xml).
KEY_BANKS = (
    "    <key-banks>\n"
    + "".join(
        f"      <bank><name>{bank}</name><key-material>{'A' * 43}=</key-material></bank>\n"
        for bank in ("current", "next")
    )
    + "    </key-banks>\n"
)


def _encryptor(topology: dict[str, Any], dev: Device) -> str:
    ch = card_channel(topology, dev.name) or {}
    model = dev.hostvars.get("card_model") or ch.get("card_model") or "10-TCE"
    channel = dev.hostvars.get("channel") or ch.get("name") or ""
    count = int(ch.get("client_ports", 10))
    ports = "".join(
        f"      <client-port><name>c{i}</name><enabled>false</enabled><encryption>off</encryption>"
        f"</client-port>\n"
        for i in range(1, count + 1)
    )
    return (
        f'  <encryptor xmlns="{ENC_NS}">\n'
        f"    <model>{escape(model)}</model>\n"
        f"    <line><channel>{escape(channel)}</channel><rate-gbps>{int(ch.get('capacity_gbps', 100))}"
        f"</rate-gbps><enabled>true</enabled></line>\n"
        f"    <client-ports>\n{ports}    </client-ports>\n"
        f"  </encryptor>\n"
    )


def _key_bank(topology: dict[str, Any], dev: Device) -> str:
    return f'  <encryptor xmlns="{ENC_NS}">\n{KEY_BANKS}  </encryptor>\n'


def _key_host(topology: dict[str, Any], dev: Device) -> str:
    # Key streams are provisioned by the key-host role, not pre-created: start empty.
    return f'  <key-streams xmlns="{KS_NS}"/>\n'


RENDERERS = {
    "l2_switch": _l2_switch,
    "optical_switch": _optical_switch,
    "encryptor": _encryptor,
    "key_host": _key_host,
    "key_bank": _key_bank,
}


def render_startup(topology: dict[str, Any], dev: Device) -> str:
    """The complete startup file of one device."""
    try:
        body = RENDERERS[dev.kind](topology, dev)
    except KeyError:
        raise ValueError(f"device {dev.name}: unknown kind {dev.kind!r}") from None
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<config xmlns="{NC_NS}">\n'
    return f"{head}{nacm_xml(dev.kind)}{body}</config>\n"
