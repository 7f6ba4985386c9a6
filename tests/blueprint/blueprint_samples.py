"""Small inline blueprints shared by the blueprint tests (not a test module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qantara.errors import InputError

# Line numbers matter: the loader tests point at them.
MINIMAL = """\
apiVersion: qantara.dev/v1
kind: Blueprint
metadata:
  name: gulf-ml
  owner: data-platform
spec:
  jurisdiction: AE
  dataClassification: restricted
  deployment: cloud
  cloud: {}
  environments:
    - name: dev
"""


FULL = """\
apiVersion: qantara.dev/v1
kind: Blueprint
metadata:
  name: gulf-ml
  owner: data-platform
  description: Sovereign ML platform for the Gulf
spec:
  jurisdiction: AE-DIFC
  dataClassification: restricted
  sectors: [health, finance]
  deployment: hybrid
  cloud:
    provider: aws
    region: me-central-1
    drRegion: me-south-1
  onPrem:
    site: dxb-dc1
    country: AE
    kubeContext: dxb-prod
  environments:
    - name: dev
    - name: staging
      enforcement: advisory
    - name: prod
      approvers: [ciso, head-of-data]
  components:
    dataLake: {placement: onprem}
    featureStore: {online: true, placement: cloud, dataClassification: confidential}
    experimentTracking: {size: Medium}
    monitoring: {enabled: false}
  governance:
    stage: integrated
    auditRetentionDays: 2555
    waivers:
      - policy: QA-RES-003
        resources: "raw-*"
        reason: vendor encryption lands in Q3
        approvedBy: ciso
        expires: 2025-06-30
    transfers:
      - {country: SA, mechanism: safeguards, reference: DPA-2024-17, approvedBy: dpo}
  tags:
    cost-centre: ml-001
"""



def alias_bomb(levels: int = 9, refs: int = 9) -> str:
    """A "billion laughs" document: `refs ** levels` leaves if anyone expanded it."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * refs)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * refs)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def single_problem(load: Callable[[Path], object], path: Path, error: type[InputError] = InputError) -> str:
    """The one line `load(path)` refuses with; fails the test unless it is exactly one."""
    with pytest.raises(error) as caught:
        load(path)
    lines = caught.value.lines()
    assert len(lines) == 1, lines
    return lines[0]
