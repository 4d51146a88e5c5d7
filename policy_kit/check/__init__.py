"""The check flow: read file → text with positions → normalise → analyse (GiNZA) → match → report."""
