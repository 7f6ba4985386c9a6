"""The bucket goes to whatever region the shared network stack exports: a StackReference
output, not known until the reference is read at deployment."""

import pulumi
from redteam_base import opts
from redteam_location import restricted_bucket

network = pulumi.StackReference("dubai-care/shared-network/prod")
restricted_bucket("patient-data", opts, region=network.get_output("region"))
