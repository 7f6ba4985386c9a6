"""A scoring request queue left on SQS's default SSE-SQS: encrypted, but with a key SQS owns,
so the platform cannot control or audit who decrypts the patient features in it."""

import pulumi_aws as aws
from redteam_encryption import opts

aws.sqs.Queue("scoring-requests", name="dubai-care-ml-prod-scoring", sqs_managed_sse_enabled=True,
              message_retention_seconds=345600, visibility_timeout_seconds=120, opts=opts)
