"""Publishing open data: reviewing, withholding and approving a financial year's grants."""
