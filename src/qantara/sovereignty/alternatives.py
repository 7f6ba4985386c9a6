"""Other providers' in-country cloud regions (policies/data/other_cloud_regions.yaml).

Qantara builds AWS and on-prem only. When no AWS region may hold a class, the in-country
regions of other clouds are still worth naming: the reader learns the data could stay in the
country on another provider, and that Qantara does not build it yet. Nothing here decides a
verdict; the residency rule does.
"""

from __future__ import annotations


def in_country_alternatives(catalog: dict, jurisdiction: str) -> list[str]:
    """One sentence per other provider's region in the jurisdiction's countries."""
    home = catalog["jurisdictions"]["jurisdictions"].get(jurisdiction.split("-")[0], {})
    countries = set(home.get("countries", []))
    others = catalog.get("other_cloud_regions", {})
    providers = others.get("providers", {})
    sentences = []
    for row in others.get("regions", []):
        if row["country"] not in countries:
            continue
        place = f" ({row['city']})" if row.get("city") else ""
        uncertain = " [uncertain: " + row["why"] + "]" if row.get("certainty") == "uncertain" else ""
        sentences.append(f"{providers.get(row['provider'], row['provider'])} {row['code']}{place} is in "
                         f"{row['country']}; Qantara does not build it yet (source: {row['url']}){uncertain}")
    return sentences


def without_endpoint_data(catalog: dict) -> list[str]:
    """AWS regions known from botocore's partition data whose services it does not list yet."""
    return sorted(code for code, region in catalog["aws_regions"]["regions"].items()
                  if region.get("endpointData") is False)
