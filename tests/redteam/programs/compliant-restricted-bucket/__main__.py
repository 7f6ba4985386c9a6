"""Compliant: one restricted bucket in me-central-1, encrypted with the platform key,
versioned, private, TLS only, audited."""

from redteam_base import compliant_bucket

compliant_bucket("patient-data")
