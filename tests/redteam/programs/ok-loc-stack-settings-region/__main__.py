"""Compliant: the bucket uses the default provider, and the program's own stack settings
(Pulumi.prod.yaml) pin aws:region to me-central-1, as `pulumi up` reads them."""

from redteam_base import TAGS
from redteam_location import restricted_bucket

restricted_bucket("patient-data", None, tags=TAGS)
