import json

import pulumi
import pulumi_aws as aws
import pytest
from iam_checks import least_privilege_problems

from qantara.catalog import load_catalog
from qantara.components.deploy_access import TYPE_TOKEN, DeployAccess, DeployAccessArgs
from qantara.components.identity import StackIdentity
from qantara.plan.location import locate_resources

ACCOUNT = "111122223333"
STATE_BUCKET = "dubai-care-ml-pulumi-state"
STATE_KEY = f"arn:aws:kms:me-central-1:{ACCOUNT}:key/0000aaaa-12ab-34cd-56ef-1234567890ab"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ROLE = ("aws:iam/role:Role", "deploy-role")
POLICY = ("aws:iam/rolePolicy:RolePolicy", "deploy-role-policy")
OIDC = ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "deploy-oidc")


def _access(provider="github", repository="dubai-care/ml-platform", existing=None, state=True, regions=None):
    aws_provider = aws.Provider("aws-me-central-1", region="me-central-1")
    DeployAccess(
        "deploy",
        DeployAccessArgs(
            identity=StackIdentity(blueprint="dubai-care-ml", environment="prod", account_id=ACCOUNT, partition="aws"),
            provider=provider,
            repository=repository,
            state_bucket_arn=f"arn:aws:s3:::{STATE_BUCKET}" if state else None,
            state_key_arn=STATE_KEY if state else None,
            existing_provider_arn=existing,
            regions=regions if regions is not None else ["me-central-1", "me-south-1"],
            tags={"data-classification": "restricted", "qantara-blueprint": "dubai-care-ml"},
        ),
        opts=pulumi.ResourceOptions(provider=aws_provider),
    )


@pytest.fixture
def github(build):
    return build(_access)


def _trust(resources):
    (statement,) = json.loads(resources[ROLE]["inputs"]["assumeRolePolicy"])["Statement"]
    return statement


def _policy(resources):
    return json.loads(resources[POLICY]["inputs"]["policy"])


def _by_sid(resources):
    return {s["Sid"]: s for s in _policy(resources)["Statement"]}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_github_provider_trusts_githubs_issuer_for_sts_without_thumbprints(github):
    oidc = github[OIDC]["inputs"]
    assert oidc["url"] == "https://token.actions.githubusercontent.com"
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in oidc


def test_only_the_repositorys_deployment_environment_can_assume_the_role(github):
    trust = _trust(github)
    assert trust["Principal"] == {"Federated": GITHUB_PROVIDER}
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:dubai-care/ml-platform:environment:prod",
        }
    }
    role = github[ROLE]["inputs"]
    assert role["name"] == "dubai-care-ml-prod-deploy"
    assert role["maxSessionDuration"] == 3600
    assert github[OIDC]["urn"] in github[ROLE]["dependencies"]


def test_gitlab_deployments_come_from_the_projects_protected_branch(build):
    resources = build(lambda: _access(provider="gitlab", repository="dubai-care/platform/ml"))
    assert resources[OIDC]["inputs"]["url"] == "https://gitlab.com"
    assert resources[OIDC]["inputs"]["clientIdLists"] == ["https://gitlab.com"]
    trust = _trust(resources)
    assert trust["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"}
    assert trust["Condition"]["StringEquals"] == {
        "gitlab.com:aud": "https://gitlab.com",
        "gitlab.com:sub": "project_path:dubai-care/platform/ml:ref_type:branch:ref:main",
    }


def test_an_existing_provider_is_reused_not_created(build):
    resources = build(lambda: _access(existing=GITHUB_PROVIDER))
    assert OIDC not in resources
    assert _trust(resources)["Principal"] == {"Federated": GITHUB_PROVIDER}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"existing": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"}, "is not github's issuer"),
        ({"provider": "bitbucket"}, "not supported"),
        ({"repository": "ml-platform"}, "not a github `owner/name`"),
        ({"provider": "gitlab", "repository": "platform"}, "not a gitlab `group/project`"),
        ({"regions": []}, "names no regions"),
    ],
)
def test_misdeclared_deploy_access_is_refused(build, kwargs, message):
    with pytest.raises(Exception, match=message):
        build(lambda: _access(**kwargs))


def test_deploy_policy_is_least_privilege_but_for_creating_tagged_keys(github):
    # kms:CreateKey accepts no resource but "*"; the request must carry the blueprint tag.
    assert least_privilege_problems(_policy(github)) == ["write action kms:CreateKey on resource *"]
    assert _by_sid(github)["CreateTaggedKeys"]["Condition"] == {
        "StringEquals": {"aws:RequestTag/qantara-blueprint": "dubai-care-ml"}
    }


def test_platform_resources_are_created_tagged_and_changed_only_when_tagged(github):
    statements = _by_sid(github)
    create, change = statements["CreateTaggedPlatformResources"], statements["ChangeTaggedPlatformResources"]
    assert create["Condition"] == {"StringEquals": {"aws:RequestTag/qantara-blueprint": "dubai-care-ml"}}
    assert change["Condition"] == {"StringEquals": {"aws:ResourceTag/qantara-blueprint": "dubai-care-ml"}}
    assert "sagemaker:CreateEndpoint" in create["Action"] and "sagemaker:DeleteEndpoint" in change["Action"]
    for statement in (create, change):
        # Only the platform's account and regions.
        assert all(
            r.split(":")[3] in {"me-central-1", "me-south-1"} and r.split(":")[4] == ACCOUNT
            for r in statement["Resource"]
        )
    for sid in ("CreateTaggedRoles", "ChangeTaggedRoles", "PassTaggedRolesToPlatformServices"):
        assert statements[sid]["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/*"
        assert statements[sid]["Condition"]["StringEquals"].keys() & {
            "aws:RequestTag/qantara-blueprint", "aws:ResourceTag/qantara-blueprint"
        }
    assert "sagemaker.amazonaws.com" in statements["PassTaggedRolesToPlatformServices"]["Condition"]["StringEquals"][
        "iam:PassedToService"
    ]


def test_buckets_and_aliases_are_scoped_by_the_platforms_names(github):
    statements = _by_sid(github)
    assert statements["ManagePlatformBuckets"]["Resource"] == "arn:aws:s3:::dubai-care-ml-prod-*"
    assert statements["ManagePlatformKeyAliases"]["Resource"] == [
        f"arn:aws:kms:{region}:{ACCOUNT}:alias/dubai-care-ml/prod/*" for region in ("me-central-1", "me-south-1")
    ]


def test_the_deploy_role_reads_no_data(github):
    allowed = [s for s in _policy(github)["Statement"] if s["Effect"] == "Allow"]
    actions = {a for s in allowed for a in _as_list(s["Action"])}
    data_reads = {"s3:GetObject", "s3:GetObjectVersion", "logs:GetLogEvents", "logs:FilterLogEvents",
                  "sagemaker:InvokeEndpoint", "sagemaker:GetRecord", "kms:Decrypt"}
    object_reads = [s for s in allowed if data_reads & set(_as_list(s["Action"]))]
    # Only the Pulumi state under its prefix, and the state key.
    assert {s["Sid"] for s in object_reads} == {"StateObjectsUnderOwnPrefix", "StateAndSecretsKey"}
    assert _by_sid(github)["StateObjectsUnderOwnPrefix"]["Resource"] == (
        f"arn:aws:s3:::{STATE_BUCKET}/dubai-care-ml/prod/*"
    )
    assert _by_sid(github)["StateAndSecretsKey"]["Resource"] == STATE_KEY
    assert not [a for a in actions if a.endswith(":*") or a in ("s3:Get*", "sagemaker:Get*", "logs:Get*")]


def test_without_a_state_bucket_there_is_no_state_access(build):
    sids = set(_by_sid(build(lambda: _access(state=False))))
    assert not [sid for sid in sids if sid.startswith("State")]


def test_the_role_cannot_escalate_through_itself_or_other_roles_or_leave_the_regions(github):
    statements = _by_sid(github)
    assert statements["NoRoleChaining"] == {
        "Sid": "NoRoleChaining", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"
    }
    itself = statements["NoChangesToTheDeployRoleItself"]
    assert itself["Effect"] == "Deny" and "iam:UpdateAssumeRolePolicy" in itself["Action"]
    assert itself["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/dubai-care-ml-prod-deploy"
    regions = statements["StayInPlatformRegions"]
    assert regions["Effect"] == "Deny"
    assert regions["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["me-central-1", "me-south-1"]}}


def test_deploy_access_is_global_iam_tagged_and_under_the_component(github):
    located = locate_resources(list(github.values()), stack_region=None, catalog=load_catalog())
    iam = [r for r in located if r["type"].startswith("aws:iam/")]
    assert len(iam) == 3 and all(r["location"]["kind"] == "global" for r in iam)
    component = github[(TYPE_TOKEN, "deploy")]
    assert all(r["parent"] == component["urn"] for r in iam)
    assert github[ROLE]["inputs"]["tags"]["data-classification"] == "restricted"
    assert github[OIDC]["inputs"]["tags"]["data-classification"] == "restricted"


def test_deploy_policy_fits_iams_inline_policy_size(github):
    compact = json.dumps(_policy(github), separators=(",", ":"))
    assert len(compact.replace(" ", "")) <= 10240
