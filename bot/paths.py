"""Where the shipped files are: inside the package in a wheel, at the repository's top level in a
checkout (an editable install)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def shipped_templates_dir() -> Path:
    return _shipped("templates")


def shipped_seeds_dir() -> Path:
    return _shipped("seeds")


def shipped_model_dir() -> Path:
    return PACKAGE_DIR / "models" / "de_morgenlage"
