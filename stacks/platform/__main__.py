"""The Qantara platform: one blueprint, one environment, placed in-jurisdiction.

Config (Pulumi.yaml declares both):
  qantara:blueprint    path to the blueprint, relative to the repository root or absolute
  qantara:environment  one of the blueprint's environments
The program reads the resolved platform (`qantara.resolution`): the cloud side is
`qantara.aws_platform`, the on-prem side (a Kubernetes cluster, or an AWS Outposts rack with
its EKS local cluster) `qantara.onprem_platform`; this program only resolves and exports.
"""

from pathlib import Path

import pulumi

from qantara.aws_platform import base_tags, provision_aws
from qantara.blueprint import load_blueprint
from qantara.errors import QantaraError
from qantara.paths import project_root
from qantara.resolution import resolve_platform

config = pulumi.Config("qantara")
blueprint_path = Path(config.require("blueprint"))
if not blueprint_path.is_absolute():
    blueprint_path = project_root() / blueprint_path

try:
    platform = resolve_platform(load_blueprint(blueprint_path), config.require("environment"))
except (QantaraError, KeyError) as error:
    # A clean message in `pulumi up`, not a traceback.
    raise pulumi.RunError(str(getattr(error, "message", error))) from None

tags = base_tags(platform)

if platform.cloud():
    for name, value in provision_aws(platform, tags).items():
        pulumi.export(name, value)

if platform.on_site():
    # Imported only when needed: pulumi_kubernetes costs a cloud-only plan a second to load.
    from qantara.onprem_platform import provision_onprem

    # On an Outposts site the data lake is AWS resources too: they carry the same base tags.
    for name, value in provision_onprem(platform, aws_tags=tags).items():
        pulumi.export(name, value)

pulumi.export("environment", platform.environment.name)
pulumi.export("placement", {name: c.location.where for name, c in platform.components.items()})
