"""The default provider, and a stack settings file without aws:region: the deployer's
AWS_REGION decides where the bucket goes."""

from redteam_base import TAGS
from redteam_location import restricted_bucket

restricted_bucket("patient-data", None, tags=TAGS)
