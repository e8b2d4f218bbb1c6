"""The unit files are read beside the module, as importlib.resources would find them."""

from importlib import resources

import pytest

from electrocheck.units import resolve


@pytest.mark.parametrize("name", ["unit_table.json", "units.txt"])
def test_the_packaged_files_are_the_ones_importlib_finds(name: str) -> None:
    found = resources.files("electrocheck.units").joinpath(name).read_text("utf-8")
    assert resolve._packaged(name) == found
    assert found  # a file that is there, not an empty stand-in
