"""Quarterly monitoring of Community Anchor contracts: KPIs and targets, providers' returns,
their review, and the benchmarking of anchors against each other within a lot."""
