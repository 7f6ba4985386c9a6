"""StackIdentity: who and where one stack is, the one argument every component shares.

Every component names its resources after the blueprint and environment, and writes ARNs in
the stack's partition, region and account. Those five facts are one value, built once per
stack: by the platform's scope (`qantara.components.scope`) from the resolved platform, or by
a project's infra program, which builds components without a platform scope. The name and
ARN helpers are written here once, instead of in every component.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi

from qantara.naming import bucket_name, kms_alias, role_name, sagemaker_name, scoped_name

# `arn(...)` reads the identity's own region and account unless told otherwise.
_OWN = object()


@dataclass(frozen=True)
class StackIdentity:
    """The blueprint and environment a stack belongs to, and the AWS partition, region and
    account it runs in. A site's cluster has no region or account (None), and no partition
    when the platform has no cloud side."""

    blueprint: str
    environment: str
    # Plain strings on the platform (names and policies are built before anything exists);
    # a project's program may hold its platform's region as an Output.
    region: pulumi.Input[str] | None = None
    account_id: pulumi.Input[str] | None = None
    partition: str | None = "aws"

    def in_region(self, region: str) -> StackIdentity:
        """The same stack, for resources it keeps in another region (the DR replica)."""
        return replace(self, region=region)

    def scoped_name(self, purpose: str) -> str:
        """`<blueprint>-<env>-<purpose>`, lower-case: IAM roles, topics, rules, groups."""
        return scoped_name(self.blueprint, self.environment, purpose)

    def role_name(self, purpose: str) -> str:
        """An IAM role of the stack: `<blueprint>-<env>-<purpose>` (naming.role_name)."""
        return role_name(self.blueprint, self.environment, purpose)

    def sagemaker_name(self, *parts: str) -> str:
        """`<blueprint>-<env>[-<part>...]` as a SageMaker name (unique per account and region)."""
        return sagemaker_name(self.blueprint, self.environment, *parts)

    def bucket_name(self, purpose: str) -> str:
        """The S3 bucket `<blueprint>-<env>-<purpose>-<region>` (global names: the region is in it)."""
        return bucket_name(self.blueprint, self.environment, purpose, self.region)

    def kms_alias(self, purpose: str) -> str:
        """`alias/<blueprint>/<env>/<purpose>`."""
        return kms_alias(self.blueprint, self.environment, purpose)

    def log_group_name(self, component: str, purpose: str) -> str:
        """`/qantara/<blueprint>/<env>/<component>/<purpose>`: a component's own log group."""
        return f"/qantara/{self.blueprint}/{self.environment}/{component}/{purpose}"

    def arn(self, service: str, resource: str, *, region=_OWN, account=_OWN) -> str:
        """`arn:<partition>:<service>:<region>:<account>:<resource>`; pass region="" for a global
        service (IAM) and account="" where the ARN has none (S3 buckets)."""
        region = self.region if region is _OWN else region
        account = self.account_id if account is _OWN else account
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"
