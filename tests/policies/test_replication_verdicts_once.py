"""QA-RES-030/031 judge each (class, place) pair once and look the verdict up: the findings are
exactly those of judging every move afresh.

The shipped `replication.rego` is compared with a copy whose `movement_verdict` calls
`place_verdict` on every move (what it did before the pairs were remembered), on every
allowed and denied sample of the package, message for message. A lookup that handed one
pair the verdict of another (a class to the wrong place, a place to the wrong class) changes
a message or a finding here.
"""

from __future__ import annotations

import shutil

import pytest
from test_policy_samples import collect_samples, package_findings, sample_input

from qantara.engine.rego import RegoEngine
from qantara.paths import policy_dir

PACKAGE = "qantara.resources.replication"
REMEMBERED = """movement_verdict(class, loc) := judged[1] if {
	some judged in judged_pairs
	judged[0] == [class, loc]
} else := place_verdict(class, loc)
"""
AFRESH = "movement_verdict(class, loc) := place_verdict(class, loc)\n"

SAMPLES = [p for p in collect_samples() if p.values[1] == PACKAGE]


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> tuple[RegoEngine, RegoEngine]:
    library = tmp_path_factory.mktemp("afresh") / "policies"
    shutil.copytree(policy_dir(), library)
    rego = library / "resources" / "replication" / "replication.rego"
    source = rego.read_text(encoding="utf-8")
    assert source.count(REMEMBERED) == 1, "movement_verdict changed: update this test's copy of it"
    rego.write_text(source.replace(REMEMBERED, AFRESH), encoding="utf-8")
    return RegoEngine(), RegoEngine(root=library)


def test_the_package_has_samples_with_findings_to_compare():
    assert sum(1 for p in SAMPLES if p.values[2] == "denied") >= 10


@pytest.mark.parametrize(("directory", "package", "kind", "sample", "data"), SAMPLES)
def test_remembered_verdicts_give_the_findings_of_fresh_ones(engines, directory, package, kind, sample, data):
    shipped, afresh = engines
    document = sample_input(data, sample)
    assert package_findings(shipped, PACKAGE, document) == package_findings(afresh, PACKAGE, document)


def test_one_class_copied_to_two_places_gets_each_place_s_verdict(engines):
    # The refused sample (restricted UAE data replicated to Bahrain) plus a second replication
    # of the same bucket to a UAE bucket: the same class judged at two places, one finding.
    shipped, afresh = engines
    (refused,) = [p.values for p in SAMPLES if p.values[3]["name"].startswith("restricted health data replicated from the UAE to")]
    sample, data = refused[3], refused[4]
    archive = {"type": "aws:s3/bucket:Bucket", "name": "raw-archive", "inputs": {"bucket": "dubai-care-ml-prod-archive-me-central-1"}}
    mover = sample["plan"]["resources"][2]
    archive_mover = {**mover, "name": "raw-archive-replication",
                     "propertyDependencies": {**mover["propertyDependencies"],
                                              "rules": ["urn:pulumi:prod::qantara::aws:s3/bucket:Bucket::raw-archive"]}}
    document = sample_input(data, {**sample, "plan": {"resources": [*sample["plan"]["resources"], archive, archive_mover]}})

    findings = package_findings(shipped, PACKAGE, document)
    assert findings == package_findings(afresh, PACKAGE, document)
    assert [f["resource"].rsplit("::", 1)[1] for f in findings] == ["data-lake-raw-replication"]
    assert "me-south-1" in findings[0]["message"]
