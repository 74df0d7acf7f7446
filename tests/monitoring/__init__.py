"""Tests of quarterly monitoring of Community Anchor contracts."""
