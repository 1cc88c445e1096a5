"""Serving: the published store (validated builds readers may open) and its writers."""
