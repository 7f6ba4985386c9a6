"""Qantara's policy pack: the logic lives in `qantara.policy.pulumi_pack`, tested there."""

from pulumi_policy import PolicyPack

from qantara.policy.pulumi_pack import (
    PACK_NAME,
    governance_policy,
    keep_secret_markers,
    pack_enforcement_level,
    stack_config,
)

keep_secret_markers()
PolicyPack(name=PACK_NAME, policies=[governance_policy()], enforcement_level=pack_enforcement_level(stack_config()))
