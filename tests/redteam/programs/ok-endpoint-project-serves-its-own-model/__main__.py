"""A project's stack serving its own model, with its monitoring and drift alarms, and no trail of
its own: the platform's trail, in the same region, records the endpoint's API calls."""

from redteam_endpoint import served_and_monitored

served_and_monitored()
