"""The reference file: its typed records, loading, and validation section by section.

Above :mod:`electrocheck.units`; below everything clinical. Import records from here.
"""
