"""Funding partners' own pages: read-only, what their money paid for."""
