# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile AWX survey answers: each refused by survey_to_descriptor naming the survey variable,
fast, with nothing rendered (the answers reach the filter as data through slice_input)."""

from __future__ import annotations

import time

import pytest
import yaml

from tests.hostile_inputs import ENTERPRISE_CONNECTIONS, ROOT, survey_cases

CASES = survey_cases()
GOOD = {
    "slice_id": "enterprise-app-2",
    "compute_site_role": "metro",
    "compute_vcpu": 8,
    "compute_memory_gb": 16,
    "uplink_bandwidth_mbps": "1000",
}


@pytest.fixture(scope="module")
def base():
    return yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())


def test_good_answers_build_a_descriptor(survey_filter, base):
    doc = survey_filter.survey_to_descriptor(GOOD, ENTERPRISE_CONNECTIONS, base)
    assert doc["slice"]["id"] == "enterprise-app-2"
    assert doc["slice"]["connections"][1]["bandwidth_mbps"] == 1000


@pytest.mark.parametrize(("name", "answers", "variable"), CASES, ids=[c[0] for c in CASES])
def test_hostile_survey_answer_refused_naming_the_variable(survey_filter, base, name, answers, variable):
    started = time.perf_counter()
    with pytest.raises(survey_filter.AnsibleFilterError) as err:
        survey_filter.survey_to_descriptor({**GOOD, **answers}, ENTERPRISE_CONNECTIONS, base)
    assert variable in str(err.value), str(err.value)[:500]
    assert time.perf_counter() - started < 5.0
