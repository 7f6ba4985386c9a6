"""`qantara bundle`: the policy library and catalog as an OPA bundle, for a central OPA server.

An OPA bundle is a gzipped tarball (openpolicyagent.org, "Bundle File Format"; opa
v1/bundle/bundle.go): `.rego` files anywhere, data files named `data.json` whose directory
is their path in the data document, and a `.manifest` (JSON: `revision`, `roots`, ...).
This one holds:

- ``/.manifest``: ``revision`` (a SHA-256 of every other entry, so equal content gives an
  equal revision), ``roots`` ``["qantara", "catalog"]`` (OPA refuses a bundle with a
  package or data outside its roots, and a server then refuses writes inside them),
  ``rego_version`` 1 and a ``metadata`` note of what wrote it;
- ``/qantara/<path>.rego``: every policy module under `policies/` (tests excluded), at
  the path of its package's root;
- ``/catalog/<stem>/data.json``: each catalog file, so it is ``data.catalog.<stem>`` in
  Rego exactly as in the embedded engine.

Entries are sorted with fixed owner, mode and time (and the gzip header carries none), so
the same library always gives the same bytes; the file is written beside the target and
renamed over it, so a reader never sees half a bundle.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

from qantara.catalog import load_catalog
from qantara.engine.rego import rego_modules
from qantara.paths import policy_dir

ROOTS = ("qantara", "catalog")
MANIFEST = "/.manifest"
# 2000-01-01T00:00:00Z: a fixed, plausible time (some tools warn about 1970).
FIXED_MTIME = 946684800


def _json_bytes(value) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def bundle_entries(root: Path | None = None) -> dict[str, bytes]:
    """Every entry of the bundle but the manifest, by its path inside the tarball."""
    catalog = load_catalog() if root is None else load_catalog(root / "data")
    entries = {f"/{ROOTS[0]}/{path}": source.encode("utf-8") for path, source in rego_modules(root or policy_dir()).items()}
    for stem, value in catalog.items():
        entries[f"/catalog/{stem}/data.json"] = _json_bytes(value)
    return dict(sorted(entries.items()))


def revision(entries: dict[str, bytes]) -> str:
    """A content hash of the entries: their paths and bytes, in order."""
    digest = hashlib.sha256()
    for path, content in sorted(entries.items()):
        digest.update(path.encode("utf-8") + b"\0" + str(len(content)).encode() + b"\0" + content)
    return digest.hexdigest()


def manifest(entries: dict[str, bytes]) -> dict:
    return {
        "revision": revision(entries),
        "roots": list(ROOTS),
        "rego_version": 1,
        "metadata": {"generator": "qantara bundle", "source": "policies/"},
    }


def bundle_bytes(root: Path | None = None) -> tuple[bytes, dict, dict[str, bytes]]:
    """The bundle's bytes, its manifest and its other entries."""
    entries = bundle_entries(root)
    head = manifest(entries)
    files = {MANIFEST: _json_bytes(head), **entries}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[path]))
    # The gzip header would otherwise carry the time and a file name.
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0), head, entries


def write_bundle(out_path: Path | str, *, root: Path | None = None) -> dict:
    """Write the bundle to `out_path` atomically; return what it holds (plain data)."""
    from qantara.output_file import write_output

    content, head, entries = bundle_bytes(root)
    out = write_output(out_path, content, what="the bundle")  # regular files only, atomically (output_file.py)
    return {
        "path": str(out),
        "revision": head["revision"],
        "roots": head["roots"],
        "policies": [p for p in entries if p.endswith(".rego")],
        "data": ["data." + ".".join(p.strip("/").split("/")[:-1]) for p in entries if p.endswith("/data.json")],
        "bytes": len(content),
    }
