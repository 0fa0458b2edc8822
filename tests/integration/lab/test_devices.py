# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each device kind: edit, commit and read back; YANG rejects bad values with the device's error."""

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError

pytestmark = pytest.mark.lab

OC_IF = "http://openconfig.net/yang/interfaces"
OC_VLAN = "http://openconfig.net/yang/vlan"
OC_ETH = "http://openconfig.net/yang/interfaces/ethernet"
OC_NI = "http://openconfig.net/yang/network-instance"
ENC = "urn:qsafe:yang:encryptor"
OC_LINE = "http://openconfig.net/yang/openconfig-transport-line-connectivity"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
KS = "urn:qsafe:yang:key-stream"


def test_l2_switch_vlan_access_and_trunk(lab):
    cfg = f"""<network-instances xmlns="{OC_NI}"><network-instance><name>DEFAULT</name><vlans><vlan>
      <vlan-id>210</vlan-id><config><vlan-id>210</vlan-id><name>t-slice</name></config></vlan></vlans>
      </network-instance></network-instances>
      <interfaces xmlns="{OC_IF}"><interface><name>srv-1</name><ethernet xmlns="{OC_ETH}">
      <switched-vlan xmlns="{OC_VLAN}"><config><interface-mode>ACCESS</interface-mode>
      <access-vlan>210</access-vlan></config></switched-vlan></ethernet></interface>
      <interface><name>ch3-metro-1</name><ethernet xmlns="{OC_ETH}"><switched-vlan xmlns="{OC_VLAN}">
      <config><interface-mode>TRUNK</interface-mode><trunk-vlans>210</trunk-vlans></config>
      </switched-vlan></ethernet></interface></interfaces>"""
    with lab.session("sw-agg-1") as s:
        assert s.transaction(cfg).changed is True
        assert s.transaction(cfg).changed is False  # idempotent
        got = s.get_config("running", f'<interfaces xmlns="{OC_IF}"><interface><name>ch3-metro-1</name>'
                                      "</interface></interfaces>")
    assert "<interface-mode>TRUNK</interface-mode>" in got and "<trunk-vlans>210</trunk-vlans>" in got


def test_l2_switch_rejects_out_of_range_vlan(lab):
    cfg = (f'<network-instances xmlns="{OC_NI}"><network-instance><name>DEFAULT</name><vlans><vlan>'
           "<vlan-id>5000</vlan-id><config><vlan-id>5000</vlan-id></config></vlan></vlans>"
           "</network-instance></network-instances>")
    with lab.session("sw-core-1") as s, pytest.raises(NetconfOperationError) as err:
        s.transaction(cfg)
    assert err.value.device == "sw-core-1" and err.value.operation == "edit-config"
    assert err.value.error_tag == "invalid-value" and "vlan-id" in (err.value.error_path or "")


def test_optical_cross_connect(lab):
    """openconfig-transport-line-connectivity: one connection per direction, keyed by index."""
    flt = f'<connections xmlns="{OC_LINE}"/>'
    cfg = (f'<connections xmlns="{OC_LINE}"><connection><index>71</index><config><index>71</index>'
           "<source>sw-ch4-agg-1</source><dest>tce-ch4-c3</dest></config></connection></connections>")
    with lab.session("ots-metro-1") as s:
        res = s.transaction(cfg, filter=flt)
        assert res.changed and res.committed
        assert "<dest>tce-ch4-c3</dest>" in s.get_config("running", flt)
        with pytest.raises(NetconfOperationError) as err:  # the key leaf and config/index must agree
            s.transaction(cfg.replace("<config><index>71</index>", "<config><index>x</index>"))
        assert err.value.error_tag in ("invalid-value", "operation-failed", "bad-element")
        gone = (f'<connections xmlns="{OC_LINE}"><connection xmlns:nc="{NC}"'
                ' nc:operation="delete"><index>71</index></connection></connections>')
        assert s.transaction(gone, filter=flt).changed


def test_encryptor_port_encryption_and_model_rule(lab):
    cfg = (f'<encryptor xmlns="{ENC}"><client-ports><client-port><name>c5</name><enabled>true</enabled>'
           "<encryption>aes-256</encryption></client-port></client-ports><key-source><method>qkd</method>"
           "<kme-url>https://127.0.0.1:8443</kme-url><master-sae-id>sae-ch4-a</master-sae-id>"
           "<slave-sae-id>sae-ch4-b</slave-sae-id><role>primary</role></key-source></encryptor>")
    with lab.session("tce-ch4-a") as s:
        assert s.transaction(cfg).changed
        got = s.get_config("running", f'<encryptor xmlns="{ENC}"><client-ports><client-port><name>c5</name>'
                                      "</client-port></client-ports></encryptor>")
    assert "<encryption>aes-256</encryption>" in got
    with lab.session("tce-ch1-a") as s, pytest.raises(NetconfOperationError) as err:
        s.transaction(cfg.replace("c5", "c6"))  # 10-TCE has no AES
    assert "10-TCE-AES" in err.value.message and "encryption" in (err.value.error_path or "")


def test_key_stream_with_status(lab):
    cfg = (f'<key-streams xmlns="{KS}"><stream><name>ks-ch3</name><channel>ch3</channel><method>qra</method>'
           "<role>primary</role><kme-url>https://127.0.0.1:8443</kme-url><local-sae-id>sae-ch3-a</local-sae-id>"
           "<peer-sae-id>sae-ch3-b</peer-sae-id><card>tce-ch3-a</card><status><rotations>4</rotations>"
           "</status></stream></key-streams>")
    with lab.session("keys-a") as s:
        assert s.transaction(cfg).changed
        got = s.get_config("running", f'<key-streams xmlns="{KS}"/>')
    assert "<name>ks-ch3</name>" in got and "<card>tce-ch3-a</card>" in got
    # The YANG default (refresh-interval 3) is not reported back: netconfd returns what was set.
    assert "<refresh-interval>" not in got
    assert "<rotations>4</rotations>" in got
    with lab.session("keys-a") as s, pytest.raises(NetconfOperationError) as err:
        s.transaction(cfg.replace("<method>qra</method>", "<method>rot13</method>"))
    assert err.value.error_tag == "invalid-value"
