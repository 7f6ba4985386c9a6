"""Qantara's own platform program, run unchanged except for the table of what its cloud side
builds: the audit trail (and its DR replica) are taken out, and so is every component that keeps
data in buckets or tables, which a trail would be required for in any plan. What is left is the
platform's key, network and the endpoint serving the blueprint's model, in the region the
blueprint's audit component is placed in: the case in which a project's endpoint may go without
a trail of its own, because the platform's trail records it. Here the plan is the platform's,
where that trail should be, so nothing records the endpoint at all."""

import runpy

from qantara import aws_platform
from qantara.paths import platform_program_dir

KEPT = ("platformKey", "network", "modelRegistry", "serving")
for kind in list(aws_platform.AWS_BUILDERS):
    if kind not in KEPT:
        del aws_platform.AWS_BUILDERS[kind]

runpy.run_path(str(platform_program_dir() / "__main__.py"), run_name="__main__")
