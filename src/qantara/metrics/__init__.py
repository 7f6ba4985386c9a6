"""Delivery metrics of ML projects (`qantara metrics`): DORA's four and model freshness."""
