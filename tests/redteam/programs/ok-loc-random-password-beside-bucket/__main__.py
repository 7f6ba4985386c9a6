"""Compliant: a generated database password (random, pure logic kept in the stack's state)
beside the compliant bucket; it is not a place data can live."""

import pulumi_random as random
from redteam_base import compliant_bucket

compliant_bucket("patient-data")
random.RandomPassword("feature-db-password", length=32, special=True, override_special="!#%&*()-_=+")
random.RandomId("bucket-suffix", byte_length=4)
