"""Monitoring's views (dashboards, field monitoring, alerts)."""
