"""Reporting: the taper dashboards of commissioning programmes and grant schemes, their
exports and `flask taper report`."""
