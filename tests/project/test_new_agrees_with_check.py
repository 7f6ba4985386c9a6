"""`qantara new` and `qantara check --project` apply one rule to a project's data class.

For every example blueprint, every class and every serving choice the template offers, the
manifest the template would write is checked by `check_project`; `new` must refuse exactly
the classes for which that check finds QA-PRJ-002 (the project's data above what its
platform, or a component it uses, holds). Both read policies/data/project_components.yaml.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

from qantara.blueprint.loader import load_blueprint
from qantara.paths import project_root
from qantara.project import generate
from qantara.project.answers import resolve_answers
from qantara.project.check import check_project
from qantara.project.sources import write_blueprint_copy
from qantara.sovereignty.placement import resolve_placement
from qantara.vocabulary import classifications

EXAMPLES = sorted((project_root() / "blueprints").glob("*.yaml"))
TEMPLATE = generate.TEMPLATE_DIR
OPTIONS = generate.template_options(TEMPLATE)
MANIFEST_TEMPLATE = (TEMPLATE / "{{cookiecutter.project_slug}}" / "qantara.yaml").read_text(encoding="utf-8")


def template_manifest(blueprint: Path, data_class: str, serving: str) -> dict:
    """qantara.yaml as the template renders it for these answers on this platform."""
    loaded = load_blueprint(blueprint)
    given = {"data_classification": data_class, "serving": serving, "blueprint": "platform/blueprint.yaml",
             "environments": ",".join(e.name for e in loaded.model.spec.environments)}
    values = resolve_answers(OPTIONS, given, no_input=True)
    values.update(generate.platform_facts(loaded.model, resolve_placement(loaded), values, TEMPLATE))
    text = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(MANIFEST_TEMPLATE)
    return yaml.safe_load(text.render(cookiecutter=values))


def class_findings(project: Path, manifest: dict) -> list[dict]:
    (project / "qantara.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    result = check_project(project)
    return [f for f in result.findings if f["policy"] == "QA-PRJ-002"]


@pytest.mark.parametrize("blueprint", EXAMPLES, ids=lambda p: p.stem)
def test_new_refuses_exactly_the_classes_check_project_finds_above_the_platform(blueprint, tmp_path):
    write_blueprint_copy(tmp_path, blueprint)
    platform = load_blueprint(blueprint).model
    disagreements = []
    for serving in OPTIONS["serving"]:
        for data_class in classifications():
            refused = generate._classification_problems(data_class, serving, platform)
            found = class_findings(tmp_path, template_manifest(blueprint, data_class, serving))
            if bool(refused) != bool(found):
                disagreements.append(f"{data_class}/{serving}: new {'refuses' if refused else 'accepts'}, "
                                     f"check finds {[f['message'] for f in found]}")
    assert not disagreements, "\n".join(disagreements)


def test_a_restricted_project_is_refused_by_both_where_experiment_tracking_holds_internal(tmp_path):
    # The case that once split them: sa-health-hybrid tracks experiments at internal.
    blueprint = project_root() / "blueprints" / "sa-health-hybrid.yaml"
    write_blueprint_copy(tmp_path, blueprint)
    platform = load_blueprint(blueprint).model
    assert platform.component_class("experimentTracking") == "internal"
    refusal = generate._classification_problems("restricted", "none", platform)
    found = class_findings(tmp_path, template_manifest(blueprint, "restricted", "none"))
    assert refusal and "experimentTracking" in refusal[0]
    assert [f["resource"] for f in found] == ["spec.dataClassification"]
    assert "experimentTracking" in found[0]["message"]
    internal = template_manifest(blueprint, "internal", "none")
    assert not generate._classification_problems("internal", "none", platform)
    assert class_findings(tmp_path, internal) == []


def test_a_data_lake_below_the_project_class_is_refused_by_both_at_the_dataset(tmp_path):
    # The data lake row holds datasets, not the project's class: the template's one dataset
    # has the project's class, so `new` refuses it and check finds the dataset.
    source = yaml.safe_load((project_root() / "blueprints" / "ae-health-cloud.yaml").read_text(encoding="utf-8"))
    source["spec"].setdefault("components", {}).setdefault("dataLake", {})["dataClassification"] = "confidential"
    blueprint = tmp_path / "lake-confidential.yaml"
    blueprint.write_text(yaml.safe_dump(source, sort_keys=False), encoding="utf-8")
    project = tmp_path / "project"
    write_blueprint_copy(project, blueprint)
    platform = load_blueprint(blueprint).model
    refusal = generate._classification_problems("restricted", "none", platform)
    found = class_findings(project, template_manifest(blueprint, "restricted", "none"))
    assert refusal and "dataLake" in refusal[0] and "allowed: public, internal, confidential" in refusal[0]
    assert [f["resource"] for f in found] == ["spec.datasets[0].classification"]
    assert not generate._classification_problems("confidential", "none", platform)
    assert class_findings(project, template_manifest(blueprint, "confidential", "none")) == []
