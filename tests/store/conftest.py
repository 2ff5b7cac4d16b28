"""Fixtures of the persistence tests (helpers live in store_helpers.py)."""

from store_helpers import small_dir  # noqa: F401  (fixture)
