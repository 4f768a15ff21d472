"""Reads of monitoring: the dashboards' figures, from the roll-up tables only."""
