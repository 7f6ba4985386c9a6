"""`qantara scan`: check every stack of a self-managed Pulumi backend against its blueprint.

Each checkpoint names its blueprint and environment in its stack config
(`qantara:blueprint`, `qantara:environment`: a checkpoint carries `checkpoint.config`).
A relative blueprint path is resolved against `root` (the `--root` option, default the
current directory). Every stack goes through the same `check_blueprint` as `check --plan`,
in this one process: the policy engine (`default_engine()`, cached per process) compiles
the policy library once for all stacks. A stack that cannot be checked (no config, a
blueprint that does not load, an unreadable checkpoint) fails the scan: fail closed.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from qantara.check import check_blueprint
from qantara.errors import InputError, QantaraError
from qantara.policy.checkpoint import CheckResult
from qantara.scan.backend import StackRef, open_backend

BLUEPRINT_KEY = "qantara:blueprint"
ENVIRONMENT_KEY = "qantara:environment"


@dataclass
class StackScan:
    """The outcome for one stack: a check result, or why it could not be checked."""

    ref: StackRef
    blueprint: str | None = None
    environment: str | None = None
    result: CheckResult | None = None
    error: str | None = None

    @property
    def verdict(self) -> str:
        return "error" if self.result is None else self.result.verdict

    def to_dict(self) -> dict:
        data = {"stack": self.ref.name, "project": self.ref.project, "checkpoint": self.ref.key,
                "blueprint": self.blueprint, "environment": self.environment, "verdict": self.verdict}
        if self.result is not None:
            data["findings"] = self.result.findings
            data["warnings"] = self.result.warnings
        else:
            data["error"] = self.error
        return data


@dataclass
class ScanResult:
    backend: str
    stacks: list[StackScan] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "pass" if all(s.verdict == "pass" for s in self.stacks) else "fail"

    def to_dict(self) -> dict:
        return {"backend": self.backend, "verdict": self.verdict, "stacks": [s.to_dict() for s in self.stacks]}


def _config_value(config: dict, key: str) -> str | None:
    value = config.get(key)
    return value if isinstance(value, str) and value else None


def stack_config(raw: bytes, ref: StackRef) -> dict:
    """The checkpoint's stack config (`checkpoint.config`), or a located error."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise QantaraError(f"{ref.key}: not JSON ({str(error)[:120]})") from None
    checkpoint = document.get("checkpoint") if isinstance(document, dict) else None
    if not isinstance(checkpoint, dict):
        raise QantaraError(f"{ref.key}: not a Pulumi checkpoint (no `checkpoint` object)")
    config = checkpoint.get("config")
    return config if isinstance(config, dict) else {}


def _scan_one(backend, ref: StackRef, root: Path, today: dt.date, workdir: Path) -> StackScan:
    scan = StackScan(ref)
    try:
        raw = backend.read(ref)
        config = stack_config(raw, ref)
        scan.blueprint, scan.environment = _config_value(config, BLUEPRINT_KEY), _config_value(config, ENVIRONMENT_KEY)
        missing = [k for k, v in ((BLUEPRINT_KEY, scan.blueprint), (ENVIRONMENT_KEY, scan.environment)) if v is None]
        if missing:
            scan.error = (f"{ref.key}: checkpoint.config lacks {', '.join(missing)} (set them with "
                          f"`pulumi config set {missing[0]} ...`): the stack cannot be checked")
            return scan
        blueprint = Path(scan.blueprint)
        blueprint = blueprint if blueprint.is_absolute() else root / blueprint
        # check_blueprint reads a plan file: the very bytes whose config was read above (Pulumi may
        # rewrite the checkpoint meanwhile), decompressed, in a scratch file; errors name the stack.
        plan_file = workdir / "checkpoint.json"
        plan_file.write_bytes(raw)
        region = _config_value(config, "aws:region")
        scan.result = check_blueprint(blueprint, scan.environment, plan_file=plan_file,
                                      config={"aws:region": region} if region else None, today=today)
        scan.result.plan["source"]["file"] = ref.key
    except QantaraError as error:
        scan.error = "; ".join(error.lines()).replace(str(workdir / "checkpoint.json"), ref.key)
    return scan


def scan_backend(url: str, *, root: Path | None = None, today: dt.date | None = None, s3_client=None) -> ScanResult:
    """Check every stack checkpoint of the backend at `url` (file://DIR or s3://bucket)."""
    backend = open_backend(url, s3_client=s3_client)
    root = root or Path.cwd()
    today = today or dt.date.today()
    result = ScanResult(url)
    refs = backend.stacks()
    if not refs:
        # Fail closed: a mistyped directory or prefix must not read as "every stack passed".
        raise InputError(f"{url}: no stack checkpoints under .pulumi/stacks/ (expected a self-managed Pulumi "
                         "backend: .pulumi/stacks/<project>/<stack>.json or the legacy .pulumi/stacks/<stack>.json)")
    with tempfile.TemporaryDirectory(prefix="qantara-scan-") as work:
        for ref in refs:
            result.stacks.append(_scan_one(backend, ref, root, today, Path(work)))
    return result
