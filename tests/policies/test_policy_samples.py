"""Every policy package ships allowed and denied samples, and every sample holds.

`policies/<subject>/<concern>/samples.yaml` lists inputs the package must allow (no
findings) and inputs it must deny (exactly the expected policy ids, with multiplicity).
Each sample is evaluated through the embedded engine against that package's `findings`
alone, so a sample cannot pass because another package reported for it. It is asked the
way `check` asks it (`rule_values`, the package's entrypoint compiled once per engine), not
as an ad-hoc query, which recompiles the whole library for every sample.

The library checks below (samples present, every policy exercised, ids unique and
declared, metadata complete) read the files themselves rather than trust the loader, and
each is shown to catch a broken library laid out in a temporary directory.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from qantara.blueprint.models import CLASSIFICATION_ORDER, POLICY_ID, Blueprint
from qantara.engine.rego import default_engine
from qantara.paths import policy_dir
from qantara.policy.evaluate import policy_input
from qantara.policy.library import SEVERITIES, STAGES, SUBJECTS
from qantara.project.manifest import ProjectManifest
from qantara.resolution import blueprint_facts

TODAY = dt.date(2026, 11, 23)
STACK_URN = "urn:pulumi:prod::qantara::"

# What a project finding may name besides a manifest field: the project's CI files.
CI_PATHS = (".github/workflows/", ".gitlab-ci.yml")
SAMPLE_FILE_KEYS = {"blueprint", "project", "resourceDefaults", "allowed", "denied"}
SAMPLE_KEYS = {"name", "blueprint", "plan", "project", "environment", "resolved", "program", "expect", "knownIssue"}
RESOURCE_KEYS = {"urn", "type", "name", "parent", "provider", "custom", "inputs", "dependencies",
                 "propertyDependencies", "location", "dataClassification"}
METADATA_FIELDS = {"id", "title", "severity", "stage", "waivable", "rationale", "remediation", "frameworks"}
OPTIONAL_METADATA_FIELDS = {"nonWaivableClasses"}
POLICY_ID_LITERAL = re.compile(r'"(QA-[A-Z]+-\d{3})"')


# --- reading the library ---------------------------------------------------------------------

def package_dirs(root: Path) -> list[Path]:
    """Every directory `<subject>/<concern>/` that holds Rego or metadata, in a stable order."""
    found = []
    for subject in SUBJECTS:
        for directory in sorted((root / subject).glob("*/")):
            if directory.is_dir() and (any(rego_files(directory)) or (directory / "metadata.yaml").exists()):
                found.append(directory)
    return found


def rego_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.rego") if not p.name.endswith("_test.rego"))


def package_name(root: Path, directory: Path) -> str:
    return "qantara." + ".".join(directory.relative_to(root).parts)


def read_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def metadata_entries(directory: Path) -> list:
    raw = read_yaml(directory / "metadata.yaml") or {}
    entries = raw.get("policies") if isinstance(raw, dict) else None
    return entries if isinstance(entries, list) else []


def declared_ids(directory: Path) -> set[str]:
    return {e["id"] for e in metadata_entries(directory) if isinstance(e, dict) and isinstance(e.get("id"), str)}


def read_samples(directory: Path) -> dict | None:
    path = directory / "samples.yaml"
    if not path.is_file():
        return None
    data = read_yaml(path)
    return data if isinstance(data, dict) else {}


def samples_of(data: dict, kind: str) -> list[dict]:
    items = data.get(kind)
    return [s for s in items if isinstance(s, dict)] if isinstance(items, list) else []


# --- the checks, each returning the problems it finds -------------------------------------

def missing_metadata(root: Path) -> list[str]:
    return [f"{d.relative_to(root)}: Rego without metadata.yaml"
            for d in package_dirs(root) if not (d / "metadata.yaml").is_file()]


def sample_file_problems(root: Path, directory: Path) -> list[str]:
    """samples.yaml exists, is well formed and has at least one allowed and one denied sample."""
    where = directory.relative_to(root) / "samples.yaml"
    data = read_samples(directory)
    if data is None:
        return [f"{where}: missing"]
    problems = [f"{where}: unknown top-level key {k!r}" for k in sorted(set(data) - SAMPLE_FILE_KEYS)]
    names = Counter()
    for kind in ("allowed", "denied"):
        items = data.get(kind) or []
        if not isinstance(items, list):
            problems.append(f"{where}: {kind} is not a list")
            continue
        for i, sample in enumerate(items):
            if not isinstance(sample, dict) or not isinstance(sample.get("name"), str) or not sample["name"].strip():
                problems.append(f"{where}: {kind}[{i}] has no name")
                continue
            names[sample["name"]] += 1
            problems += [f"{where}: {kind}[{i}] unknown key {k!r}" for k in sorted(set(sample) - SAMPLE_KEYS)]
            if kind == "denied" and not (isinstance(sample.get("expect"), list) and sample["expect"]):
                problems.append(f"{where}: denied sample {sample['name']!r} expects no policy id")
            if kind == "allowed" and "expect" in sample:
                problems.append(f"{where}: allowed sample {sample['name']!r} expects findings")
        if not any("knownIssue" not in s for s in samples_of(data, kind)):
            problems.append(f"{where}: no {kind} sample the policy passes today")
    problems += [f"{where}: sample name {name!r} used {n} times" for name, n in names.items() if n > 1]
    return problems


def unexercised_policies(root: Path, directory: Path) -> list[str]:
    """Policy ids of the metadata that no (passing) denied sample expects."""
    data = read_samples(directory) or {}
    expected = {pid for s in samples_of(data, "denied") if "knownIssue" not in s for pid in s.get("expect") or []}
    return [f"{package_name(root, directory)}: {pid} is never expected by a denied sample"
            for pid in sorted(declared_ids(directory) - expected)]


def undeclared_ids(root: Path, directory: Path) -> list[str]:
    """Ids the Rego can report, or the samples expect, that the package's metadata does not declare."""
    declared = declared_ids(directory)
    problems = []
    for path in rego_files(directory):
        for pid in sorted(set(POLICY_ID_LITERAL.findall(path.read_text(encoding="utf-8"))) - declared):
            problems.append(f"{path.relative_to(root)} reports {pid}, which its metadata.yaml does not declare")
    data = read_samples(directory) or {}
    for sample in samples_of(data, "denied"):
        for pid in sorted(set(sample.get("expect") or []) - declared):
            problems.append(f"{package_name(root, directory)}: sample {sample.get('name')!r} expects {pid}, "
                            f"which its metadata.yaml does not declare")
    return problems


def duplicate_ids(root: Path) -> list[str]:
    owners: dict[str, list[str]] = {}
    for directory in package_dirs(root):
        if (directory / "metadata.yaml").is_file():
            for pid in [e.get("id") for e in metadata_entries(directory) if isinstance(e, dict)]:
                owners.setdefault(pid, []).append(package_name(root, directory))
    return [f"{pid} is declared {len(where)} times ({', '.join(where)})" for pid, where in owners.items() if len(where) > 1]


def metadata_problems(root: Path, directory: Path) -> list[str]:
    where = directory.relative_to(root) / "metadata.yaml"
    entries = metadata_entries(directory)
    if not entries:
        return [f"{where}: declares no policies"]
    problems = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"{where}: policies[{i}] is not a mapping")
            continue
        label = f"{where}: {entry.get('id', f'policies[{i}]')}"
        problems += [f"{label} lacks {field}" for field in sorted(METADATA_FIELDS - set(entry))]
        problems += [f"{label} has unknown field {field}" for field in sorted(set(entry) - METADATA_FIELDS - OPTIONAL_METADATA_FIELDS)]
        for field in ("title", "rationale", "remediation"):
            if field in entry and not (isinstance(entry[field], str) and entry[field].strip()):
                problems.append(f"{label}: {field} is blank")
        if "id" in entry and not (isinstance(entry["id"], str) and re.fullmatch(POLICY_ID, entry["id"])):
            problems.append(f"{label}: id does not match {POLICY_ID}")
        if "severity" in entry and entry["severity"] not in SEVERITIES:
            problems.append(f"{label}: severity {entry['severity']!r} (allowed: {', '.join(SEVERITIES)})")
        if "stage" in entry and entry["stage"] not in STAGES:
            problems.append(f"{label}: stage {entry['stage']!r} (allowed: {', '.join(STAGES)})")
        if "waivable" in entry and not isinstance(entry["waivable"], bool):
            problems.append(f"{label}: waivable is not true or false")
        if "frameworks" in entry and not (isinstance(entry["frameworks"], list) and entry["frameworks"]
                                          and all(isinstance(f, str) and f.strip() for f in entry["frameworks"])):
            problems.append(f"{label}: frameworks is not a non-empty list of names")
        if "nonWaivableClasses" in entry and not (isinstance(entry["nonWaivableClasses"], list)
                                                  and set(entry["nonWaivableClasses"]) <= set(CLASSIFICATION_ORDER)):
            problems.append(f"{label}: nonWaivableClasses is not a list of data classes")
    return problems


# --- building a sample's input ------------------------------------------------------------

def merged(base, override):
    """`override` merged into `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for key, value in override.items():
            result[key] = merged(base[key], value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(override)


def blueprint_model(data: dict) -> Blueprint:
    return Blueprint.model_validate(data, by_alias=True, by_name=False)


def blueprint_json(data: dict) -> dict:
    """The blueprint as `qantara check` hands it to policies: validated, defaults filled in."""
    return blueprint_model(data).model_dump(mode="json", by_alias=True)


def resolved_json(data: dict, environment: str, override) -> dict | None:
    """`input.resolved` as the checkpoint builds it for this blueprint, from the same function
    (`qantara.resolution.facts`), without placing it (a sample may place where placement
    refuses); a sample's `resolved` is merged over it, and `resolved: null` removes it."""
    facts = blueprint_facts(blueprint_model(data), environment)
    return facts if override is _NOT_GIVEN else merged(facts, override)


_NOT_GIVEN = object()


def plan_resource(resource: dict, defaults: dict) -> dict:
    unknown = set(resource) - RESOURCE_KEYS
    assert not unknown, f"resource {resource.get('name')!r}: unknown keys {sorted(unknown)}"
    full = {"dataClassification": None, **copy.deepcopy(defaults), **copy.deepcopy(resource)}
    full.setdefault("urn", f"{STACK_URN}{full['type']}::{full['name']}")
    full.setdefault("parent", "")
    full.setdefault("provider", "")
    full.setdefault("custom", True)
    full.setdefault("inputs", {})
    full.setdefault("propertyDependencies", {})
    full.setdefault("dependencies", sorted({urn for urns in full["propertyDependencies"].values() for urn in urns}))
    assert "location" in full, f"resource {full['name']!r} has no location (and no resourceDefaults.location)"
    return full


def project_json(data: dict) -> dict:
    """The project as `check_project` hands it to policies: the manifest validated, defaults filled in."""
    manifest = ProjectManifest.model_validate(data["manifest"], by_alias=True, by_name=False)
    return {**data, "manifest": manifest.model_dump(mode="json", by_alias=True)}


def sample_input(data: dict, sample: dict) -> dict:
    blueprint_data = merged(data["blueprint"], sample.get("blueprint") or {})
    blueprint = blueprint_json(blueprint_data)
    environment = sample.get("environment", {"name": "prod", "enforcement": "mandatory"})
    project = None
    if "project" in data or "project" in sample:
        project = project_json(merged(data.get("project") or {}, sample.get("project") or {}))
    defaults = data.get("resourceDefaults") or {}
    resources = [plan_resource(r, defaults) for r in (sample.get("plan") or {}).get("resources", [])]
    # A sample plan may say what produced it (e.g. an offline plan's unanswered lookups).
    source = {"kind": "sample", **((sample.get("plan") or {}).get("source") or {})}
    return policy_input(
        blueprint=blueprint,
        plan={"apiVersion": "qantara.dev/v1", "kind": "Plan", "source": source, "resources": resources},
        project=project,
        environment=environment,
        resolved=resolved_json(blueprint_data, environment["name"], sample.get("resolved", _NOT_GIVEN)),
        # Which program the plan is of (qantara.plan.program_kind); none unless the sample says.
        program=sample.get("program"),
        today=TODAY,
    )


# --- collection ---------------------------------------------------------------------------

ROOT = policy_dir()


def collect_samples() -> list:
    params = []
    for directory in package_dirs(ROOT):
        try:
            data = read_samples(directory)
        except yaml.YAMLError:
            data = None  # test_every_package_ships_samples reports it
        if not data:
            continue
        package = package_name(ROOT, directory)
        for kind in ("allowed", "denied"):
            for sample in samples_of(data, kind):
                marks = []
                if "knownIssue" in sample:
                    marks.append(pytest.mark.xfail(strict=True, reason=f"known policy issue: {sample['knownIssue']}"))
                params.append(pytest.param(directory, package, kind, sample, data, marks=marks,
                                           id=f"{package.removeprefix('qantara.')}/{kind}/{sample.get('name')}"))
    return params


PACKAGE_DIRS = package_dirs(ROOT)


def package_findings(engine, package: str, document: dict):
    """`data.<package>.findings` on `engine`, through the entrypoint `check` evaluates."""
    (findings,) = engine.rule_values((f"{package}.findings",), document)
    return findings


@pytest.mark.parametrize(("directory", "package", "kind", "sample", "data"), collect_samples())
def test_sample_gets_exactly_the_expected_findings(directory, package, kind, sample, data):
    document = sample_input(data, sample)
    findings = package_findings(default_engine(), package, document)

    assert isinstance(findings, list), f"{package}.findings is {findings!r}, not a list"
    reported = sorted(f.get("policy") for f in findings)
    expected = sorted(sample.get("expect", [])) if kind == "denied" else []
    assert reported == expected, f"{kind} sample {sample['name']!r}: got {findings}"

    urns = {r["urn"] for r in document["plan"]["resources"]}
    for finding in findings:
        assert finding["policy"] in declared_ids(directory)
        assert isinstance(finding.get("message"), str) and finding["message"].strip()
        if package.startswith("qantara.resources."):
            assert finding.get("resource") in urns, f"finding names no resource of the plan: {finding}"
        elif package.startswith("qantara.project.") and str(finding.get("resource", "")).startswith(CI_PATHS):
            continue  # a project's CI file (QA-PRJ-013): the file and its job
        else:
            assert str(finding.get("resource", "")).startswith("spec."), f"finding names no blueprint field: {finding}"


def test_the_library_has_sampled_packages():
    assert collect_samples(), f"no samples found under {ROOT}"


def test_every_policy_directory_has_metadata():
    assert missing_metadata(ROOT) == []


@pytest.mark.parametrize("directory", PACKAGE_DIRS, ids=lambda d: package_name(ROOT, d))
def test_every_package_ships_allowed_and_denied_samples(directory):
    assert sample_file_problems(ROOT, directory) == []


@pytest.mark.parametrize("directory", PACKAGE_DIRS, ids=lambda d: package_name(ROOT, d))
def test_every_policy_is_expected_by_a_denied_sample(directory):
    assert unexercised_policies(ROOT, directory) == []


@pytest.mark.parametrize("directory", PACKAGE_DIRS, ids=lambda d: package_name(ROOT, d))
def test_packages_report_only_the_ids_their_metadata_declares(directory):
    assert undeclared_ids(ROOT, directory) == []


@pytest.mark.parametrize("directory", PACKAGE_DIRS, ids=lambda d: package_name(ROOT, d))
def test_metadata_entries_are_complete_and_use_known_severities_and_stages(directory):
    assert metadata_problems(ROOT, directory) == []


def test_no_two_policies_share_an_id():
    assert duplicate_ids(ROOT) == []


# --- the checks catch a broken library ----------------------------------------------------

GOOD_ENTRY = {"id": "QA-TST-001", "title": "t", "severity": "high", "stage": "initial", "waivable": True,
              "rationale": "r", "remediation": "m", "frameworks": ["f"]}


@pytest.fixture
def broken_library(tmp_path: Path) -> Path:
    """A library with one package of each fault the checks must catch."""

    def package(name: str, rego: str | None, entries: list | None, samples: dict | None):
        directory = tmp_path / "resources" / name
        directory.mkdir(parents=True)
        if rego is not None:
            (directory / f"{name}.rego").write_text(f"package qantara.resources.{name}\n{rego}\n", encoding="utf-8")
        if entries is not None:
            (directory / "metadata.yaml").write_text(yaml.safe_dump({"policies": entries}), encoding="utf-8")
        if samples is not None:
            (directory / "samples.yaml").write_text(yaml.safe_dump(samples), encoding="utf-8")

    both = {"allowed": [{"name": "a"}], "denied": [{"name": "d", "expect": ["QA-TST-001"]}]}
    package("no_metadata", "findings := []", None, None)
    package("no_samples", 'x := "QA-TST-001"', [GOOD_ENTRY], None)
    package("only_allowed", 'x := "QA-TST-002"', [{**GOOD_ENTRY, "id": "QA-TST-002"}],
            {"allowed": [{"name": "a"}], "denied": [{"name": "d", "expect": ["QA-TST-002"], "knownIssue": "k"}]})
    package("unreported", 'x := "QA-TST-009"', [{**GOOD_ENTRY, "id": "QA-TST-003"}, {**GOOD_ENTRY, "id": "QA-TST-004"}],
            {"allowed": [{"name": "a"}], "denied": [{"name": "d", "expect": ["QA-TST-003", "QA-TST-008"]}]})
    bad = {k: v for k, v in GOOD_ENTRY.items() if k != "remediation"}
    package("bad_metadata", "", [{**bad, "id": "QA-TST-005", "severity": "urgent", "stage": "mature"}], both)
    return tmp_path


def test_the_checks_catch_a_package_without_metadata(broken_library):
    assert missing_metadata(broken_library) == ["resources/no_metadata: Rego without metadata.yaml"]


def test_the_checks_catch_missing_samples_and_a_missing_denied_sample(broken_library):
    assert sample_file_problems(broken_library, broken_library / "resources/no_samples") == [
        "resources/no_samples/samples.yaml: missing"]
    assert sample_file_problems(broken_library, broken_library / "resources/only_allowed") == [
        "resources/only_allowed/samples.yaml: no denied sample the policy passes today"]


def test_the_checks_catch_a_policy_no_denied_sample_expects(broken_library):
    assert unexercised_policies(broken_library, broken_library / "resources/unreported") == [
        "qantara.resources.unreported: QA-TST-004 is never expected by a denied sample"]
    assert unexercised_policies(broken_library, broken_library / "resources/only_allowed") == [
        "qantara.resources.only_allowed: QA-TST-002 is never expected by a denied sample"]


def test_the_checks_catch_ids_the_metadata_does_not_declare(broken_library):
    assert undeclared_ids(broken_library, broken_library / "resources/unreported") == [
        "resources/unreported/unreported.rego reports QA-TST-009, which its metadata.yaml does not declare",
        "qantara.resources.unreported: sample 'd' expects QA-TST-008, which its metadata.yaml does not declare",
    ]


def test_the_checks_catch_a_shared_id(broken_library):
    assert duplicate_ids(broken_library) == []
    (broken_library / "resources/bad_metadata/metadata.yaml").write_text(
        yaml.safe_dump({"policies": [GOOD_ENTRY]}), encoding="utf-8")
    assert duplicate_ids(broken_library) == [
        "QA-TST-001 is declared 2 times (qantara.resources.bad_metadata, qantara.resources.no_samples)"]


def test_the_checks_catch_incomplete_metadata_and_unknown_severity_or_stage(broken_library):
    assert metadata_problems(broken_library, broken_library / "resources/bad_metadata") == [
        "resources/bad_metadata/metadata.yaml: QA-TST-005 lacks remediation",
        "resources/bad_metadata/metadata.yaml: QA-TST-005: severity 'urgent' (allowed: low, medium, high, critical)",
        "resources/bad_metadata/metadata.yaml: QA-TST-005: stage 'mature' (allowed: initial, managed, integrated, optimized)",
    ]
