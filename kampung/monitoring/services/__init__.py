"""Monitoring's writes: field visits, alerts and the regency's thresholds."""
