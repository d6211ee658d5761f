"""Citizen satisfaction surveys for Vietnamese public agencies, as a Wagtail app."""

__version__ = "0.1.0"
