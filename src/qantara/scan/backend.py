"""The stack checkpoints of a self-managed Pulumi backend (`file://DIR` or `s3://bucket[/prefix]`).

Layout, as Pulumi's DIY backend writes it (pkg/backend/diy/store.go, read 2026-12-06):
project-scoped stores (Pulumi 3.61 and later, `.pulumi/meta.yaml` version 1) keep a stack at
`.pulumi/stacks/<project>/<stack>.json`; legacy stores at `.pulumi/stacks/<stack>.json`.
Either may be gzip-compressed (`.json.gz`) or zstd-compressed (`.json.zst`). Backups
(`*.bak`) and history live elsewhere or under other suffixes and are not stack checkpoints.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from qantara.errors import InputError

STACKS_DIR = ".pulumi/stacks"
SUFFIXES = (".json", ".json.gz", ".json.zst")


@dataclass(frozen=True)
class StackRef:
    """One checkpoint: its project (None in a legacy store), stack name and where it is."""

    project: str | None
    stack: str
    key: str  # the path (file backend) or object key (S3) of the checkpoint

    @property
    def name(self) -> str:
        return f"{self.project}/{self.stack}" if self.project else self.stack


def stack_ref(relative: str, key: str) -> StackRef | None:
    """The stack a path under `.pulumi/stacks/` names, or None for anything else (backups...)."""
    suffix = next((s for s in SUFFIXES if relative.endswith(s)), None)
    if suffix is None:
        return None
    parts = relative[: -len(suffix)].split("/")
    if len(parts) == 1 and parts[0]:
        return StackRef(None, parts[0], key)
    if len(parts) == 2 and all(parts):
        return StackRef(parts[0], parts[1], key)
    return None  # too deep: not a stack (Pulumi skips these too)


def decode(ref: StackRef, raw: bytes) -> bytes:
    """The checkpoint's JSON bytes, decompressed; zstd is refused by name (no decoder here)."""
    if ref.key.endswith(".gz"):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise InputError(f"{ref.key}: not a readable gzip file ({error})") from None
    if ref.key.endswith(".zst"):
        raise InputError(f"{ref.key}: zstd-compressed checkpoints are not supported; "
                         "set PULUMI_DIY_BACKEND_GZIP=true or leave the state uncompressed")
    return raw


class FileBackend:
    def __init__(self, root: Path):
        self.root = root
        if not root.is_dir():
            raise InputError(f"file://{root}: not a directory (expected a Pulumi file backend holding .pulumi/stacks)")

    def stacks(self) -> list[StackRef]:
        base = self.root / STACKS_DIR
        refs = []
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                ref = stack_ref(path.relative_to(base).as_posix(), str(path))
                if ref is not None:
                    refs.append(ref)
        return refs

    def read(self, ref: StackRef) -> bytes:
        return decode(ref, Path(ref.key).read_bytes())


class S3Backend:
    def __init__(self, bucket: str, prefix: str, client=None):
        import boto3

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = client or boto3.client("s3")

    def _base(self) -> str:
        return f"{self.prefix}/{STACKS_DIR}/" if self.prefix else f"{STACKS_DIR}/"

    def stacks(self) -> list[StackRef]:
        base, refs = self._base(), []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base):
            for item in page.get("Contents", []):
                ref = stack_ref(item["Key"][len(base):], item["Key"])
                if ref is not None:
                    refs.append(ref)
        return sorted(refs, key=lambda r: r.key)

    def read(self, ref: StackRef) -> bytes:
        return decode(ref, self.client.get_object(Bucket=self.bucket, Key=ref.key)["Body"].read())


def open_backend(url: str, *, s3_client=None):
    """The backend a Pulumi login URL names: `file://DIR` or `s3://bucket[/prefix]`."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileBackend(Path((parsed.netloc + parsed.path) or "."))
    if parsed.scheme == "s3" and parsed.netloc:
        return S3Backend(parsed.netloc, parsed.path, s3_client or _s3_client(parse_qs(parsed.query)))
    raise InputError(f"backend {url!r}: expected file://DIR or s3://BUCKET[/PREFIX] (a self-managed Pulumi backend)")


def _s3_client(query: dict[str, list[str]]):
    """An S3 client honouring the query Pulumi's gocloud URLs accept: region, endpoint, disableSSL."""
    import boto3

    options = {}
    if query.get("region"):
        options["region_name"] = query["region"][0]
    if query.get("endpoint"):
        endpoint = query["endpoint"][0]
        if "://" not in endpoint:
            scheme = "http" if query.get("disableSSL", ["false"])[0] == "true" else "https"
            endpoint = f"{scheme}://{endpoint}"
        options["endpoint_url"] = endpoint
    return boto3.client("s3", **options)
