"""Morgenlage: the day's news as a short, trustworthy briefing, German first."""

__version__ = "0.1.0"
