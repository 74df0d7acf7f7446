"""Publishing open data (to be written)."""
