"""Applicants apply to open rounds: the task list, its sections, checking answers and submitting."""
