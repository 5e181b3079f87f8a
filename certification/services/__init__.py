"""Writes of the certification context, split by step of the school's year (STYLE §1)."""
