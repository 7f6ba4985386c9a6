"""The policy library on disk: packages, their subject and their metadata.

`policies/<subject>/<concern>/` holds one Rego package `qantara.<subject>.<concern>` that
defines `findings`, a `metadata.yaml` with the id, title, severity, stage, rationale,
remediation and frameworks of each policy it decides, and `samples.yaml` with allowed and
denied inputs. The metadata feeds findings, `qantara explain` and every report format.

A waivable policy may still refuse waivers for findings on some data classes
(`nonWaivableClasses`, e.g. residency on restricted and secret data); its findings then
carry their `dataClass`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from qantara.blueprint.models import CLASSIFICATION_ORDER
from qantara.errors import CatalogError, InputError
from qantara.paths import policy_dir
from qantara.vocabulary import maturity_stages

SUBJECTS = ("blueprint", "resources", "project")
SEVERITIES = ("low", "medium", "high", "critical")
STAGES = maturity_stages()  # the catalog's (policies/data/maturity_stages.yaml), as Rego reads them


@dataclass(frozen=True)
class PolicyMeta:
    id: str
    title: str
    severity: str
    stage: str
    waivable: bool
    rationale: str
    remediation: str
    frameworks: tuple[str, ...]
    package: str
    non_waivable_classes: tuple[str, ...] = ()

    def waivable_for(self, data_class: str | None) -> bool:
        """Whether a waiver may cover a finding on data of `data_class` (None: unknown)."""
        if not self.waivable:
            return False
        if not self.non_waivable_classes:
            return True
        # A class-limited policy cannot tell a finding of unknown class is harmless: refuse.
        return data_class is not None and data_class not in self.non_waivable_classes


@dataclass(frozen=True)
class PolicyPackage:
    subject: str
    package: str
    directory: Path
    policies: tuple[PolicyMeta, ...]


@lru_cache(maxsize=2)
def policy_packages(root: Path | None = None) -> tuple[PolicyPackage, ...]:
    """Every policy package, in a stable order."""
    root = root or policy_dir()
    packages = []
    for subject in SUBJECTS:
        for directory in sorted((root / subject).glob("*/")):
            metadata_file = directory / "metadata.yaml"
            if not metadata_file.is_file():
                continue
            package = f"qantara.{subject}.{directory.name}"
            raw = yaml.safe_load(metadata_file.read_text(encoding="utf-8")) or {}
            try:
                metas = tuple(
                    PolicyMeta(
                        id=entry["id"],
                        title=entry["title"],
                        severity=entry["severity"],
                        stage=entry["stage"],
                        waivable=bool(entry["waivable"]),
                        rationale=" ".join(entry["rationale"].split()),
                        remediation=" ".join(entry["remediation"].split()),
                        frameworks=tuple(entry.get("frameworks", [])),
                        package=package,
                        non_waivable_classes=_non_waivable_classes(entry, metadata_file),
                    )
                    for entry in raw.get("policies", [])
                )
            except (KeyError, TypeError, AttributeError) as error:
                raise CatalogError(f"{metadata_file}: policy metadata incomplete ({error})") from error
            packages.append(PolicyPackage(subject, package, directory, metas))
    return tuple(packages)


def _non_waivable_classes(entry: dict, metadata_file: Path) -> tuple[str, ...]:
    classes = entry.get("nonWaivableClasses", [])
    if not isinstance(classes, list) or any(c not in CLASSIFICATION_ORDER for c in classes):
        raise CatalogError(f"{metadata_file}: {entry['id']}: nonWaivableClasses {classes!r} is not a list of data "
                           f"classes (allowed: {', '.join(CLASSIFICATION_ORDER)})")
    if classes and not entry["waivable"]:
        raise CatalogError(f"{metadata_file}: {entry['id']}: nonWaivableClasses only narrows a waivable policy; "
                           f"waivable is false, so remove nonWaivableClasses or set waivable: true")
    return tuple(classes)


def policy_index(root: Path | None = None) -> dict[str, PolicyMeta]:
    """Policy metadata by id."""
    return {meta.id: meta for package in policy_packages(root) for meta in package.policies}


def find_policy(policy_id: str) -> PolicyMeta:
    """The policy `policy_id` names (any letter case), or bad input listing the ids there are."""
    index = policy_index()
    meta = index.get(policy_id) or index.get(policy_id.upper())
    if meta is None:
        raise InputError(f"unknown policy id {policy_id!r}; known ids: {', '.join(sorted(index))}")
    return meta
