"""The project's endpoint, and a bucket the team adds for the dashboard's scores: its object
reads and writes are data events the platform's trail does not select, so the stack needs a
trail of its own."""

from redteam_base import compliant_bucket
from redteam_endpoint import served_and_monitored

served_and_monitored()
compliant_bucket("readmission-risk-scores", audited=False)
