"""A model archive is untrusted until shown to be what the train step writes: the attacks a
tampered archive or model directory would try are refused before anything is loaded."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.project_slug }} import data, features, model_archive, synthetic
from {{ cookiecutter.project_slug }}.pipeline import save_served_model


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    frame = features.prepare(synthetic.make_dataset(rows=400, seed=2))
    inputs = features.model_inputs(frame)
    model = features.build_model().fit(inputs, frame[data.TARGET])
    directory = tmp_path_factory.mktemp("served") / "model"
    save_served_model(model, inputs, directory)
    return directory


def _archive_with(path: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, content in members:
            if content is not None:
                info.size = len(content)
            archive.addfile(info, io.BytesIO(content) if content is not None else None)
    return path


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize("member", [
    (tarfile.TarInfo("../escaped.txt"), b"x"),
    (tarfile.TarInfo("/tmp/absolute.txt"), b"x"),
    _link("MLmodel", "/etc/passwd", tarfile.SYMTYPE),
    _link("model.skops", "lineage.json", tarfile.SYMTYPE),  # a link that stays inside is refused too
    _link("hard", "/etc/passwd", tarfile.LNKTYPE),
], ids=["path-escape", "absolute", "symlink-out", "symlink-in", "hardlink"])
def test_a_tampered_archive_is_refused_and_nothing_is_written_outside(member, tmp_path):
    archive = _archive_with(tmp_path / "model.tar.gz", member)
    destination = tmp_path / "deep" / "model"
    with pytest.raises(model_archive.UnsafeModel):
        model_archive.unpack(archive, destination)
    assert not (tmp_path / "deep" / "escaped.txt").exists() and not list(destination.glob("*"))


def test_the_packed_model_unpacks_loads_and_predicts(model_dir, tmp_path):
    archive = model_archive.pack(model_dir, tmp_path / "model.tar.gz")
    frame = features.model_inputs(features.prepare(synthetic.make_dataset(rows=100, seed=9))).head(3)
    assert len(model_archive.load(str(archive)).predict(frame)) == 3


def _tampered_copy(model_dir: Path, tmp_path: Path, change) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    document = yaml.safe_load((copy / "MLmodel").read_text())
    change(document)
    (copy / "MLmodel").write_text(yaml.safe_dump(document))
    return copy


@pytest.mark.parametrize("change, reason", [
    (lambda d: d["flavors"]["python_function"].update(loader_module="os"), "loader_module"),
    (lambda d: d["flavors"]["python_function"].update(code="code"), "code of its own"),
    (lambda d: d["flavors"]["sklearn"].update(serialization_format="cloudpickle"), "skops only"),
    (lambda d: d["flavors"]["sklearn"].update(skops_trusted_types=["builtins.eval", "posix.system"]), "trusts"),
    # The checked file is model.skops; pyfunc would load another one.
    (lambda d: d["flavors"]["python_function"].update(model_path="conda.yaml"), "pyfunc loads"),
    (lambda d: d["flavors"]["python_function"].update(predict_fn="__reduce__"), "pyfunc calls"),
], ids=["loader-module", "code", "pickle", "widened-trust", "other-file", "other-method"])
def test_a_model_directory_whose_mlmodel_could_run_code_is_refused(model_dir, tmp_path, change, reason):
    with pytest.raises(model_archive.UnsafeModel, match=reason):
        model_archive.load(str(_tampered_copy(model_dir, tmp_path, change)))


def test_a_model_file_holding_other_types_is_refused_even_with_a_clean_mlmodel(model_dir, tmp_path):
    import skops.io
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    skops.io.dump({"payload": Path("/etc/passwd")}, copy / "model.skops")
    with pytest.raises(model_archive.UnsafeModel, match="outside scikit-learn"):
        model_archive.load(str(copy))


def test_an_archive_claiming_more_than_it_may_unpack_to_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(model_archive, "MAX_UNPACKED_BYTES", 1000)
    archive = _archive_with(tmp_path / "model.tar.gz", (tarfile.TarInfo("MLmodel"), b"x" * 1001))
    with pytest.raises(model_archive.UnsafeModel, match="add up to more"):
        model_archive.unpack(archive, tmp_path / "model")
    assert not (tmp_path / "model" / "MLmodel").exists()


def _metadata(change):
    def apply(document):
        change(document.setdefault("metadata", {}))
    return apply


@pytest.mark.parametrize("change, reason", [
    (lambda m: m.pop("qantara_drift_baseline"), "is missing"),
    (lambda m: m["qantara_drift_baseline"].update(version=99), "version"),
    (lambda m: m["qantara_drift_baseline"]["features"][0].update(expected=[0.0] * 10), "adding up to 1"),
    # A baseline that stops watching an input: its drift would never be measured.
    (lambda m: m["qantara_drift_baseline"]["features"].pop(0), "exactly those"),
    # One that watches a column the model never reads (here a sensitive one).
    (lambda m: m["qantara_drift_baseline"]["features"][0].update(name="group"), "exactly those"),
    (lambda m: m.update(qantara_drift_baseline="!!python/object/apply:os.system ['id']"), "exactly `version`"),
], ids=["missing", "version", "shares", "input-dropped", "other-column", "string"])
def test_a_model_whose_drift_baseline_is_missing_or_tampered_is_refused(model_dir, tmp_path, change, reason):
    with pytest.raises(model_archive.UnsafeModel, match=reason):
        model_archive.load(str(_tampered_copy(model_dir, tmp_path, _metadata(change))))


def test_an_archive_with_a_tampered_drift_baseline_is_refused_before_the_model_loads(model_dir, tmp_path):
    def scale(metadata):
        metadata["qantara_drift_baseline"]["features"][0]["expected"][0] = 5.0

    archive = model_archive.pack(_tampered_copy(model_dir, tmp_path, _metadata(scale)), tmp_path / "model.tar.gz")
    with pytest.raises(model_archive.UnsafeModel, match="qantara_drift_baseline: refused"):
        model_archive.load(str(archive))
    result = model_archive.main(["unpack", str(archive), str(tmp_path / "unpacked")])
    assert result == 2


def test_a_model_without_an_input_signature_is_refused(model_dir, tmp_path):
    with pytest.raises(model_archive.UnsafeModel, match="input signature"):
        model_archive.load(str(_tampered_copy(model_dir, tmp_path, lambda d: d.pop("signature"))))
