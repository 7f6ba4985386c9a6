"""Enforcement: what a finding means in an environment, after waivers (DESIGN §4.4).

The Rego decides findings the same way everywhere; this module decides consequences:
a finding in a `mandatory` environment fails the check unless a current waiver covers it,
and policies marked non-waivable can never be waived, nor can findings of a policy's
`nonWaivableClasses` (read from the finding's `dataClass`). A waived finding stays visible.
A finding the policy marks `advisory` (informational) is advisory in every environment.
"""

from __future__ import annotations

import datetime as dt
import fnmatch

from qantara.policy.library import policy_index


def _waiver_covers(waiver: dict, finding: dict) -> bool:
    if waiver["policy"] != finding["policy"]:
        return False
    resource = finding["resource"]
    name = resource.rsplit("::", 1)[-1]
    pattern = waiver.get("resources", "*")
    # Blueprint and project findings name fields such as spec.environments[1], whose brackets
    # a glob reads as a character class: a waiver naming the resource exactly covers it too.
    if pattern in (resource, name):
        return True
    return fnmatch.fnmatchcase(resource, pattern) or fnmatch.fnmatchcase(name, pattern)


def enforce(findings: list[dict], *, enforcement: str, waivers: list[dict], today: dt.date) -> list[dict]:
    """Each finding with its `enforcement`: mandatory, advisory, waived or (expired waiver) mandatory."""
    index = policy_index()
    result = []
    for finding in findings:
        level = "advisory" if finding.get("advisory") is True else enforcement
        note = ""
        for waiver in waivers:
            if not _waiver_covers(waiver, finding):
                continue
            expires = dt.date.fromisoformat(str(waiver["expires"]))
            meta = index[finding["policy"]]
            data_class = finding.get("dataClass")
            if not meta.waivable:
                note = f"waiver by {waiver['approvedBy']} ignored: {finding['policy']} can never be waived"
            elif not meta.waivable_for(data_class):
                on = f"on {data_class} data" if data_class else "when the data class is unknown"
                note = f"waiver by {waiver['approvedBy']} ignored: {finding['policy']} can never be waived {on}"
            elif expires < today:
                note = f"waiver by {waiver['approvedBy']} expired on {expires.isoformat()}"
            else:
                level = "waived"
                note = f"waived by {waiver['approvedBy']} until {expires.isoformat()}: {waiver['reason']}"
                break
        result.append({**finding, "enforcement": level, "waiver": note})
    return result


def verdict(findings: list[dict]) -> str:
    """`fail` when any finding is mandatory, else `pass`."""
    return "fail" if any(f["enforcement"] == "mandatory" for f in findings) else "pass"
