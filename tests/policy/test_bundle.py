"""`qantara bundle`: an OPA bundle that holds the whole library, that OPA would accept, and
that evaluates as the embedded engine does.

The bundle is read back as OPA reads one (opa v1/bundle/bundle.go): a file ending in
`.manifest` is the manifest, `.rego` files are modules, and a `data.json` lands at the
path of its directory; the manifest's roots must cover every package and every datum.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import tarfile
from pathlib import Path

import pytest
import regopy
from sample_inputs import violating_input

from qantara.catalog import load_catalog
from qantara.engine.rego import default_engine
from qantara.errors import InputError
from qantara.paths import policy_dir
from qantara.policy.bundle import write_bundle
from qantara.policy.library import policy_packages


def read_bundle(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def opa_view(files: dict[str, bytes]) -> tuple[dict, dict[str, str], dict]:
    """(manifest, modules by path, data document) as OPA's bundle reader builds them."""
    manifest, modules, data = {}, {}, {}
    for path, content in files.items():
        if path.endswith(".manifest"):
            manifest = json.loads(content)
        elif path.endswith(".rego"):
            modules[path] = content.decode("utf-8")
        elif Path(path).name == "data.json":
            node = data
            keys = [k for k in Path(path).parent.parts if k != "/"]
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = json.loads(content)
    return manifest, modules, data


def package_of(source: str) -> str:
    return re.search(r"^package\s+(\S+)", source, re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "qantara.tar.gz"
    write_bundle(path)
    return path


def test_the_manifest_names_a_content_revision_and_the_roots(bundle):
    files = read_bundle(bundle)
    manifest, _, _ = opa_view(files)
    assert "/.manifest" in files
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["revision"])
    assert manifest["roots"] == ["qantara", "catalog"]
    assert manifest["rego_version"] == 1


def test_every_policy_module_is_in_the_bundle_and_nothing_else(bundle):
    _, modules, _ = opa_view(read_bundle(bundle))
    on_disk = {p for p in policy_dir().rglob("*.rego") if not p.name.endswith("_test.rego")}
    assert sorted(modules) == sorted(f"/qantara/{p.relative_to(policy_dir()).as_posix()}" for p in on_disk)
    for path, source in modules.items():
        assert source == (policy_dir() / path.removeprefix("/qantara/")).read_text(encoding="utf-8")
    packages = {package_of(source) for source in modules.values()}
    assert {p.package for p in policy_packages()} | {"qantara.lib.plan", "qantara.lib.residency"} <= packages
    assert not [name for name in read_bundle(bundle) if name.endswith(("samples.yaml", "metadata.yaml", "_test.rego"))]


def test_the_catalog_is_at_data_catalog_stem(bundle):
    files = read_bundle(bundle)
    _, _, data = opa_view(files)
    assert data == {"catalog": json.loads(json.dumps(load_catalog()))}
    assert sorted(p for p in files if p.endswith("data.json")) == sorted(
        f"/catalog/{stem}/data.json" for stem in load_catalog())


def test_opa_would_accept_the_roots(bundle):
    """OPA refuses a bundle whose roots overlap or leave out a package or a datum."""
    manifest, modules, data = opa_view(read_bundle(bundle))
    roots = manifest["roots"]
    assert not [(a, b) for a in roots for b in roots if a != b and (a.startswith(b + "/") or a == b)]
    for source in modules.values():
        assert package_of(source).split(".")[0] in roots
    assert set(data) <= set(roots)


def test_the_bundle_evaluates_as_the_embedded_engine_does(bundle):
    _, modules, data = opa_view(read_bundle(bundle))
    interpreter = regopy.Interpreter()
    interpreter.log_level = regopy.LogLevel.NONE
    interpreter.add_data_json(json.dumps(data))
    for path, source in modules.items():
        interpreter.add_module(path, source)
    document = violating_input()
    query = "[" + ", ".join(f"data.{p.package}.findings" for p in policy_packages()) + "]"
    interpreter.set_input(document)
    output = interpreter.query(f"result := {query}")
    assert output.ok()
    from_bundle = output.results[0].bindings["result"]
    embedded = default_engine().query(query, document)
    assert from_bundle == embedded
    assert {"QA-RES-001", "QA-RES-003", "QA-BP-001"} <= {f["policy"] for findings in embedded for f in findings}


def test_the_same_library_gives_the_same_bytes(bundle, tmp_path):
    again = tmp_path / "again.tar.gz"
    summary = write_bundle(again)
    assert again.read_bytes() == bundle.read_bytes()
    assert summary["revision"] == opa_view(read_bundle(bundle))[0]["revision"]
    raw = bundle.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header: no time
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.mode) for m in members} == {(946684800, 0, 0, "", 0o644)}


def test_the_summary_says_what_the_bundle_holds(bundle, tmp_path):
    summary = write_bundle(tmp_path / "b.tar.gz")
    assert summary["path"] == str(tmp_path / "b.tar.gz") and summary["roots"] == ["qantara", "catalog"]
    assert summary["data"] == sorted(f"data.catalog.{stem}" for stem in load_catalog())
    assert "/qantara/lib/plan.rego" in summary["policies"]
    assert summary["bytes"] == (tmp_path / "b.tar.gz").stat().st_size


def test_a_changed_library_changes_the_revision(tmp_path):
    library = tmp_path / "policies"
    shutil.copytree(policy_dir(), library, ignore=shutil.ignore_patterns("pulumi", "__pycache__"))
    first = write_bundle(tmp_path / "first.tar.gz", root=library)["revision"]
    assert write_bundle(tmp_path / "same.tar.gz", root=library)["revision"] == first
    text = library / "lib" / "text.rego"
    text.write_text(text.read_text(encoding="utf-8") + "\n# a comment is a change\n", encoding="utf-8")
    assert write_bundle(tmp_path / "second.tar.gz", root=library)["revision"] != first


def test_writing_replaces_the_file_whole_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out" / "qantara.tar.gz"
    target.parent.mkdir()
    target.write_bytes(b"the previous bundle")

    def failing_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qantara.output_file.os.replace", failing_replace)
    with pytest.raises(InputError) as caught:
        write_bundle(target)
    assert caught.value.message == f"{target}: cannot write the bundle (No space left on device)"
    assert target.read_bytes() == b"the previous bundle"
    assert list(target.parent.iterdir()) == [target]

    monkeypatch.undo()
    write_bundle(target)
    assert opa_view(read_bundle(target))[0]["roots"] == ["qantara", "catalog"]
    assert list(target.parent.iterdir()) == [target]


def test_a_directory_is_not_a_bundle_file(tmp_path):
    with pytest.raises(InputError) as caught:
        write_bundle(tmp_path)
    assert "is a directory" in caught.value.message
