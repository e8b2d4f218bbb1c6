"""The one interpretation: flag, grade, corrections, patterns, and the check of a panel.

Imports only :mod:`electrocheck.reference` and :mod:`electrocheck.units` below it; never batch,
formats, teaching or cli.
"""
