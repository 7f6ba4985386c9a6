"""The resolved platform: computed once, plain data, and what composition reads instead of re-deriving."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import shutil
from pathlib import Path

import pytest

from qantara.blueprint import load_blueprint
from qantara.components.scope import require_colocated
from qantara.errors import QantaraError
from qantara.resolution import resolve_platform

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
EXAMPLES = sorted(p.stem for p in BLUEPRINTS.glob("*.yaml"))


def _resolved(stem: str, environment: str = "prod"):
    return resolve_platform(load_blueprint(BLUEPRINTS / f"{stem}.yaml"), environment)


def test_a_platform_is_resolved_once_per_blueprint_content_and_environment():
    assert _resolved("ae-health-cloud") is _resolved("ae-health-cloud")
    assert _resolved("ae-health-cloud", "dev") is not _resolved("ae-health-cloud")


def test_an_edited_blueprint_at_the_same_path_is_resolved_again(tmp_path):
    path = tmp_path / "platform.yaml"
    shutil.copy(BLUEPRINTS / "ae-health-cloud.yaml", path)
    before = resolve_platform(load_blueprint(path), "prod")
    path.write_text(path.read_text().replace("dubai-care-ml", "dubai-care-ai"))
    after = resolve_platform(load_blueprint(path), "prod")
    assert (before.name, after.name) == ("dubai-care-ml", "dubai-care-ai")


@pytest.mark.parametrize("stem", EXAMPLES)
def test_the_rego_input_of_every_example_is_plain_json_with_every_component_located(stem):
    platform = _resolved(stem)
    facts = json.loads(json.dumps(platform.to_input()))
    assert set(facts["components"]) == set(platform.placement.components)
    for name, component in facts["components"].items():
        assert component["location"]["kind"] in ("cloud", "onprem", "outposts"), name
        assert component["dataClassification"] == platform.placement.components[name].data_class


def test_production_sizes_and_enforcement_come_from_the_environment():
    prod, dev = _resolved("ae-health-cloud"), _resolved("ae-health-cloud", "dev")
    assert prod.environment.production and not dev.environment.production
    assert prod.environment.enforcement == "mandatory"
    assert prod.components["serving"].size["instanceCount"] == prod.environment.profile.instance_count


def test_components_on_an_outpost_are_located_in_its_parent_region():
    platform = _resolved("sa-health-outposts")
    site = platform.blueprint.spec.on_prem
    for component in platform.on_site().values():
        assert component.location.kind == "outposts"
        assert component.location.region == site.outpost_region


@pytest.mark.parametrize("stem", EXAMPLES)
def test_no_example_vpc_range_overlaps_its_site_ranges(stem):
    network = _resolved(stem).network
    if network.vpc_cidr is None:
        return
    vpc = ipaddress.ip_network(network.vpc_cidr)
    assert not [c for c in network.site_cidrs if vpc.overlaps(ipaddress.ip_network(c))]
    assert all(ipaddress.ip_network(c).subnet_of(vpc) for c in network.subnet_cidrs.values())


def test_serving_without_the_data_lake_beside_it_is_refused_by_the_guard():
    """A caller that builds a platform without placing the blueprint still cannot split serving
    from the lake it captures requests into."""
    platform = _resolved("ae-health-cloud")
    lake = platform.components["dataLake"]
    moved = dataclasses.replace(lake, location=dataclasses.replace(lake.location, kind="onprem", region=None))
    split = dataclasses.replace(platform, components={**platform.components, "dataLake": moved})
    require_colocated(platform, "serving")
    with pytest.raises(QantaraError, match="dataLake"):
        require_colocated(split, "serving")
