"""Handlers, one router per feature. Thin: parse, call a service once, answer."""
