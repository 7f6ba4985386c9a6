"""Every AWS region's residency verdict for a data class, from Rego, asked once per revision.

The rule is Rego's (`qantara.lib.residency.region_options`); this module only remembers its
answers. A verdict is pure in the policy library and catalog, the residency context
(jurisdiction, sectors, transfers), the class and the on-prem site, so it is kept under a key
holding all of them, the library's and catalog's content hash (`library_revision`) and the
engine's name. `qantara check` places a blueprint, then the platform program it plans in a
child process places it again: `exported()` hands the parent's verdicts to the child, which
`seed()`s them after checking they were computed from the very same library and catalog.
Nothing is kept on disk: a verdict is never read from a file someone else could write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache

from qantara.errors import BlueprintError
from qantara.paths import policy_dir

RESIDENCY_OPTIONS = "qantara.lib.residency.region_options"
# What one class's entry must hold to be used from a seed: anything else is ignored.
OPTION_KEYS = frozenset({"requirement", "regions", "onprem"})
# How many of the most recently used verdicts a child process is handed: a blueprint holds at
# most one per class, and a long process (a scan, a test session) may know hundreds.
EXPORT_LIMIT = 16

_VERDICTS: dict[str, dict] = {}


@lru_cache(maxsize=1)
def library_revision() -> str:
    """A content hash of the policy library and the catalog (everything under `policies/`)."""
    digest = hashlib.sha256()
    root = policy_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".rego", ".json", ".yaml", ".yml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _key(engine_name: str, context: dict, data_class: str, onprem: dict | None) -> str:
    return json.dumps([library_revision(), engine_name, context, data_class, onprem], sort_keys=True)


def cached_region_options(context: dict, classes: list[str], onprem: dict | None, engine: Callable[[], object],
                          engine_name: str) -> dict:
    """`region_options` for `classes`, asking Rego only for the classes not yet known.

    Only for the process-wide engine over the installed library (`engine()` returns it, and
    is called only when a verdict is missing; `engine_name` says which kind): an engine over
    another library or catalog must be asked directly (`region_options`)."""
    keys = {c: _key(engine_name, context, c, onprem) for c in sorted(set(classes))}
    missing = [c for c, key in keys.items() if key not in _VERDICTS]
    if missing:
        answered = region_options(context, missing, onprem, engine())
        for data_class in missing:
            _VERDICTS[keys[data_class]] = answered[data_class]
    for key in keys.values():  # most recently used last: what `exported()` hands on
        _VERDICTS[key] = _VERDICTS.pop(key)
    return {c: _VERDICTS[key] for c, key in keys.items()}


def region_options(context: dict, classes: list[str], onprem: dict | None, engine) -> dict:
    """Every region's residency verdict for each class, keyed by class, straight from Rego.

    Through the engine's compiled entrypoint: a plain query compiles the whole library again
    each time (about half a second), the entrypoint once per engine."""
    from qantara.engine.rego import to_plain

    query_input = to_plain({"context": context, "classes": sorted(set(classes)), "onprem": onprem})
    result = engine.rule_values((RESIDENCY_OPTIONS,), query_input)[0]
    if not result or any(c not in result for c in classes):
        raise BlueprintError(f"jurisdiction {context['jurisdiction']!r} gave no residency verdicts")
    return result


def exported() -> dict:
    """The verdicts this process used last (those of the blueprint it placed last), for a
    child process to `seed()`."""
    recent = list(_VERDICTS.items())[-EXPORT_LIMIT:]
    return {"revision": library_revision(), "verdicts": dict(recent)}


def seed(payload: object) -> int:
    """Take verdicts a parent process `exported()`; how many were taken.

    Taken only when computed from this very library and catalog, and only entries of the
    expected shape whose key names that revision: anything else is ignored, so a stale or
    malformed payload makes placement ask Rego again, never pass on someone's word."""
    if not isinstance(payload, dict) or payload.get("revision") != library_revision():
        return 0
    verdicts = payload.get("verdicts")
    if not isinstance(verdicts, dict):
        return 0
    taken = 0
    for key, option in verdicts.items():
        if _valid_entry(key, option):
            _VERDICTS[key] = option
            taken += 1
    return taken


def _valid_entry(key: object, option: object) -> bool:
    if not isinstance(key, str) or not isinstance(option, dict) or set(option) != OPTION_KEYS:
        return False
    try:
        parts = json.loads(key)
    except ValueError:
        return False
    return (isinstance(parts, list) and len(parts) == 5 and parts[0] == library_revision()
            and isinstance(option["regions"], dict) and isinstance(option["requirement"], dict))


def forget() -> None:
    """Drop every remembered verdict (tests that change what Rego would answer)."""
    _VERDICTS.clear()
