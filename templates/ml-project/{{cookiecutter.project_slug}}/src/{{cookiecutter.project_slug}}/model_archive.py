"""The served model: one directory, one archive, one loader, whichever way the model was trained.

The train step writes the model as an MLflow model directory (MLmodel at its root, the model
in skops, its signature) with the run's lineage record beside it (`lineage.json`), and packs
that directory as `model.tar.gz`. On SageMaker the same directory is /opt/ml/model, which
SageMaker archives itself; the RegisterModel step registers that archive and an endpoint
unpacks it back into /opt/ml/model. So the archive the pipeline produces IS what is served:

    python -m {{ cookiecutter.project_slug }}.model_archive unpack runs/<run id>/train/model.tar.gz /opt/ml/model

An archive is untrusted until proven otherwise: only regular files and directories inside the
destination are unpacked (no links, no devices, nothing outside), and a model directory is
loaded only when its MLmodel names the scikit-learn flavour in skops with no code of its own
and no types beyond scikit-learn, NumPy and SciPy (an MLmodel can otherwise widen what skops
trusts, or name a loader module that runs code). Its drift baseline (drift.py, in the MLmodel's
metadata) is data, checked the same way: a model without one, or with one that is not exactly
the shape the train step writes for the model's numeric inputs, is refused.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from . import drift

ARCHIVE = "model.tar.gz"
LINEAGE = "lineage.json"
MLMODEL = "MLmodel"
MODEL_FILE = "model.skops"  # where mlflow.sklearn writes a skops model in its directory
LOADER_MODULE = "mlflow.sklearn"
# Modules whose types the model file may hold: what the project's model is built from.
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")
# A scikit-learn model of this project is a few megabytes; a larger archive is refused unread, and
# one whose members add up to more (a few bytes of gzip can claim gigabytes) is refused unpacked.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024


class UnsafeModel(ValueError):
    """An archive or model directory that is not what the pipeline writes."""


def version(model_dir: Path) -> str:
    """The model version: the first 12 hex digits of the model file's sha256 (what the registry records)."""
    return sha256_of(model_dir / MODEL_FILE)[:12]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack(model_dir: Path, archive: Path) -> Path:
    """`model_dir`'s files as a gzip tar with names relative to it, in a stable order and with no
    owner or time of this machine: the same directory always gives the same bytes."""
    members = sorted(p for p in model_dir.rglob("*"))
    if any(p.is_symlink() for p in members):
        raise UnsafeModel(f"{model_dir}: holds a symbolic link; a model directory holds files only")
    archive.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the gzip header: the bytes do not depend on when or where.
    with archive.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed, \
            tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in members:
            info = tar.gettarinfo(path, arcname=path.relative_to(model_dir).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_dir():
                tar.addfile(info)
            else:
                with path.open("rb") as content:
                    tar.addfile(info, content)
    return archive


def unpack(archive: Path, destination: Path) -> Path:
    """Unpack a model archive into `destination`, refusing any member that is not a plain file or
    directory below it (path escapes, absolute names, symbolic or hard links, devices)."""
    if archive.stat().st_size > MAX_ARCHIVE_BYTES:
        raise UnsafeModel(f"{archive}: larger than {MAX_ARCHIVE_BYTES} bytes")
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if not (member.isfile() or member.isdir()):
                raise UnsafeModel(f"{archive}: member {member.name!r} is a link or a device; a model archive "
                                  f"holds regular files and directories only")
            if name.is_absolute() or ".." in name.parts:
                raise UnsafeModel(f"{archive}: member {member.name!r} would be written outside {destination}")
        if sum(member.size for member in tar.getmembers()) > MAX_UNPACKED_BYTES:
            raise UnsafeModel(f"{archive}: its members add up to more than {MAX_UNPACKED_BYTES} bytes")
        # The "data" filter checks the same again as tarfile itself understands it (and drops modes).
        tar.extractall(destination, filter="data")
    return destination


def check_model_dir(model_dir: Path) -> dict:
    """The MLmodel document of `model_dir` once it is shown to be a skops scikit-learn model with no code."""
    path = model_dir / MLMODEL
    if path.is_symlink() or not path.is_file():
        raise UnsafeModel(f"{model_dir}: no {MLMODEL} file; a served model is an MLflow model directory")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise UnsafeModel(f"{path}: not readable YAML ({type(error).__name__})") from None
    flavors = document.get("flavors") if isinstance(document, dict) else None
    pyfunc = (flavors or {}).get("python_function") or {}
    sklearn = (flavors or {}).get("sklearn") or {}
    problems = []
    if pyfunc.get("loader_module") != LOADER_MODULE:
        problems.append(f"loader_module is {pyfunc.get('loader_module')!r} (allowed: {LOADER_MODULE})")
    if pyfunc.get("code") or sklearn.get("code"):
        problems.append("it brings code of its own (allowed: none)")
    # The file pyfunc loads and the method it calls: the checked model file's predict, nothing else.
    if pyfunc.get("model_path", MODEL_FILE) != MODEL_FILE or "data" in pyfunc:
        problems.append(f"pyfunc loads {pyfunc.get('model_path')!r} (allowed: {MODEL_FILE}, the checked file)")
    if pyfunc.get("predict_fn", "predict") != "predict":
        problems.append(f"pyfunc calls {pyfunc.get('predict_fn')!r} (allowed: predict)")
    if sklearn.get("serialization_format") != "skops" or sklearn.get("pickled_model") != MODEL_FILE:
        problems.append(f"the model is not {MODEL_FILE} in skops (allowed: skops only)")
    widened = [t for t in sklearn.get("skops_trusted_types") or [] if not str(t).startswith(TRUSTED_MODULES)]
    if widened:
        problems.append(f"it trusts types outside scikit-learn, NumPy and SciPy: {widened}")
    if problems:
        raise UnsafeModel(f"{path}: refused: " + "; ".join(problems))
    drift_baseline(document, path)
    _check_model_file(model_dir / MODEL_FILE)
    return document


# MLflow's signature types of the inputs drift is measured on (drift.numeric_columns).
NUMERIC_TYPES = ("long", "double", "integer", "float")


def drift_baseline(document: dict, path: Path) -> drift.Baseline:
    """The MLmodel document's drift baseline once shown to cover exactly the model's numeric inputs."""
    metadata = document.get("metadata")
    where = f"{path}: metadata.{drift.KEY}"
    if not isinstance(metadata, dict) or drift.KEY not in metadata:
        raise UnsafeModel(f"{where} is missing: a served model carries the drift baseline of its training data "
                          f"(retrain it with this project's pipeline or train step)")
    try:
        baseline = drift.Baseline.from_document(metadata[drift.KEY])
    except drift.InvalidBaseline as error:
        raise UnsafeModel(f"{where}: refused: {error}") from None
    numeric = _numeric_inputs(document, path)
    if set(baseline.names) != numeric:
        raise UnsafeModel(f"{where}: refused: it watches {sorted(baseline.names)}, the model's numeric inputs are "
                          f"{sorted(numeric)} (allowed: exactly those)")
    return baseline


def _numeric_inputs(document: dict, path: Path) -> set[str]:
    signature = document.get("signature")
    try:
        inputs = json.loads(signature["inputs"])
        return {str(i["name"]) for i in inputs if i.get("type") in NUMERIC_TYPES}
    except (TypeError, KeyError, AttributeError, ValueError):
        raise UnsafeModel(f"{path}: no readable input signature (signature.inputs): the drift baseline is checked "
                          f"against the model's inputs") from None


def _check_model_file(path: Path) -> None:
    import skops.io
    if path.is_symlink() or not path.is_file():
        raise UnsafeModel(f"{path}: missing or not a regular file")
    refused = [t for t in skops.io.get_untrusted_types(file=path) if not t.startswith(TRUSTED_MODULES)]
    if refused:
        raise UnsafeModel(f"{path}: the model file holds types outside scikit-learn, NumPy and SciPy: {refused}")


def local_model_dir(uri: str, scratch: Path) -> Path:
    """A checked local model directory for `uri`: a directory, a model archive, or an MLflow URI
    (runs:/..., models:/...), downloaded first."""
    path = Path(uri)
    if path.is_file():
        return _checked(unpack(path, scratch / "model"))
    if path.is_dir():
        return _checked(path)
    import mlflow.artifacts
    downloaded = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(scratch / "download")))
    return _checked(downloaded)


def _checked(model_dir: Path) -> Path:
    if any(p.is_symlink() for p in model_dir.rglob("*")):
        raise UnsafeModel(f"{model_dir}: holds a symbolic link; a model directory holds files only")
    check_model_dir(model_dir)
    return model_dir


def load(uri: str):
    """The MLflow pyfunc model at `uri` (directory, model.tar.gz or MLflow URI), checked before it is loaded."""
    import mlflow.pyfunc
    with tempfile.TemporaryDirectory(prefix="qantara-model-") as scratch:
        # Loaded into memory before the scratch directory goes: skops reads the file at load.
        return mlflow.pyfunc.load_model(str(local_model_dir(uri, Path(scratch))))


# A model version as the registry writes it (the first 12 hex digits of the model file's sha256),
# within what Qantara accepts of a version: it goes into an MLflow query and an image tag.
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def registered_archive(model_version: str, runs: Path, scratch: Path) -> Path:
    """The archive a run registered as `model_version`: a local run's, else the MLflow run's tagged with it."""
    for registration in sorted(runs.glob("*/register/registration.json")):
        record = json.loads(registration.read_text(encoding="utf-8"))
        if record.get("modelVersion") == model_version:
            return registration.parents[1] / "train" / ARCHIVE
    import mlflow

    from . import config
    mlflow.set_tracking_uri(config.tracking_uri())
    found = mlflow.search_runs(experiment_names=[config.load_manifest(config.MANIFEST)["metadata"]["name"]],
                               filter_string=f"tags.`qantara.modelVersion` = '{model_version}'", output_format="list")
    if not found:
        raise UnsafeModel(f"model version {model_version}: no local run in {runs} and no MLflow run at "
                          f"{config.tracking_uri()} registered it (`make lineage` names the versions)")
    return Path(mlflow.artifacts.download_artifacts(run_id=found[0].info.run_id, artifact_path=ARCHIVE,
                                                    dst_path=str(scratch)))


def fetch(model_version: str, destination: Path, runs: Path) -> Path:
    """Copy `model_version`'s archive to `destination` once its content is shown to be that version:
    the version is the model file's hash, so an image tagged with it holds exactly that model."""
    if not VERSION_PATTERN.match(model_version):
        raise UnsafeModel(f"model version {model_version!r} (allowed: 1 to 64 letters, digits, '.', '_' and '-')")
    with tempfile.TemporaryDirectory(prefix="qantara-model-") as scratch:
        archive = registered_archive(model_version, runs, Path(scratch))
        found = version(_checked(unpack(archive, Path(scratch) / "check")))
        if found != model_version:
            raise UnsafeModel(f"{archive}: holds model version {found}, not {model_version}; refused")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archive, destination)
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Unpack and check a model archive (how the image receives it).")
    commands = parser.add_subparsers(dest="command", required=True)
    unpacking = commands.add_parser("unpack", help="Unpack ARCHIVE into DIRECTORY and check the model.")
    unpacking.add_argument("archive", type=Path)
    unpacking.add_argument("directory", type=Path)
    versioning = commands.add_parser("version", help="Print the model version of ARCHIVE.")
    versioning.add_argument("archive", type=Path)
    fetching = commands.add_parser("fetch", help="Copy the registered archive of VERSION to DESTINATION.")
    fetching.add_argument("model_version", metavar="VERSION")
    fetching.add_argument("destination", type=Path)
    fetching.add_argument("--runs", type=Path, default=Path("runs"), help="The local runs (default: runs).")
    args = parser.parse_args(argv)
    try:
        print(_run(args))
    except (UnsafeModel, OSError, tarfile.TarError) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    return 0


def _run(args) -> str:
    if args.command == "fetch":
        fetch(args.model_version, args.destination, args.runs)
        return f"model {args.model_version}: archive in {args.destination}"
    if args.command == "unpack":
        _checked(unpack(args.archive, args.directory))
        return f"model {version(args.directory)} unpacked into {args.directory}"
    with tempfile.TemporaryDirectory(prefix="qantara-model-") as scratch:
        return version(_checked(unpack(args.archive, Path(scratch))))


if __name__ == "__main__":
    raise SystemExit(main())
