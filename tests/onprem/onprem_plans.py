"""Plans of a blueprint's on-prem side, placements of edited examples, and readers of both."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from qantara.blueprint.loader import load_blueprint
from qantara.catalog import load_catalog
from qantara.errors import BlueprintError
from qantara.onprem_platform import provision_onprem
from qantara.plan.classification import classify_resources
from qantara.plan.document import plan_document
from qantara.plan.location import locate_resources
from qantara.plan.offline import run_under_mocks
from qantara.resolution import resolve_platform
from qantara.sovereignty.placement import resolve_placement

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
SA_HEALTH = BLUEPRINTS / "sa-health-hybrid.yaml"
SA_GOVERNMENT = BLUEPRINTS / "sa-government-onprem.yaml"
SA_OUTPOSTS = BLUEPRINTS / "sa-health-outposts.yaml"
REGISTRY_HEALTH = "registry.riyadh-health.example/ml"
REGISTRY_GOVERNMENT = "registry.agency.gov.example/ml"


def rewritten(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> Path:
    """An example blueprint with exact text replaced (each once), written to `tmp_path`."""
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> BlueprintError:
    """The error placement refuses the blueprint at `path` with; fails the test if it places it."""
    with pytest.raises(BlueprintError) as caught:
        resolve_placement(load_blueprint(path))
    return caught.value


def provision(path: Path, environment: str, config: dict[str, str] | None = None) -> tuple[list[dict], dict]:
    """Run provision_onprem for one environment of a blueprint under the mocks, as the
    platform program would; returns its resources and the outputs it returned."""
    platform = resolve_platform(load_blueprint(path), environment)
    outputs: dict = {}

    def body():
        returned = provision_onprem(platform)
        outputs.update(returned)
        for key, value in returned.items():
            pulumi.export(key, value)

    resources = run_under_mocks(body, project="qantara", stack=environment, config=config or {})
    return resources, outputs


def plan_of(path: Path, environment: str) -> dict:
    """A Plan document of the on-prem side, located and classified as `qantara plan` does."""
    loaded = load_blueprint(path)
    catalog = load_catalog()
    resources, _ = provision(path, environment)
    site = loaded.model.spec.on_prem
    locate_resources(resources, stack_region=None, catalog=catalog, onprem={"site": site.site, "country": site.country})
    classify_resources(resources, catalog["jurisdictions"]["classifications"])
    return plan_document(resources, {"kind": "offline", "blueprint": loaded.model.metadata.name, "environment": environment})

