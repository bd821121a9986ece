"""netral-scan: audit civil servants' social-media feeds for breaches of election neutrality."""

__version__ = "0.1.0"
