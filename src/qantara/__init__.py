"""Qantara: sovereign MLOps platforms from one blueprint."""

__version__ = "0.1.0"
