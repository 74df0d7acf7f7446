"""The public register of grants (to be written)."""
