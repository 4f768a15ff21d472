"""Notifications: an outbox of messages to residents (email, SMS, WhatsApp), sent later by a worker."""
