"""National standards lscplan knows, keyed by the metrics' ``national_metric`` codes.

Used only to warn when a metric that has a national standard does not state it.
"""

NATIONAL: dict[str, str] = {
    "ae-four-hour": "95% of A&E patients within four hours",
    "rtt-18-weeks": "92% of patients waiting under 18 weeks from referral",
    "cancer-62-day": "85% treated within 62 days of urgent referral",
    "diagnostics-6-weeks": "under 1% waiting six weeks or more",
    "iapt-access": "25% of people with anxiety or depression accessing therapy",
    "dementia-diagnosis": "66.7% diagnosis rate",
    "eip-two-weeks": "60% treated within two weeks",
    "cyp-mental-health-access": "35% of children and young people with a condition",
}
