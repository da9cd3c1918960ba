"""Analyse: spaCy pipeline + Morgenlage components → actors, roles, quotes, key sentences."""
