"""policy-kit: generate and check Japanese school bullying-prevention policies."""

__version__ = "0.1.0"
