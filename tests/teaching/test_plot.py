"""Pictures of results and sweeps: the bands they are drawn on, and the files they become."""

from __future__ import annotations

import importlib.util
import struct
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electrocheck.clinical.check import run_check
from electrocheck.clinical.interpret import interpret
from electrocheck.errors import ElectrocheckError, InputError, PlotError
from electrocheck.reference import Reference, load_reference
from electrocheck.teaching.gauge import ABNORMAL, CRITICAL, NORMAL, scale_of
from electrocheck.teaching.plot import (
    MISSING,
    Band,
    Bands,
    bands_of,
    grade_steps,
    plot_kind,
    plot_results,
    plot_sweep,
)
from electrocheck.teaching.sweep import sweep

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the plot extra is not installed"
)

#: Potassium's adult limits and CTCAE cut-points, mmol/L (reference_ranges.yaml).
K_LIMITS = (2.8, 3.5, 5.0, 6.2)
K_CUTS = {(3, 3.0), (4, 2.5), (2, 5.5), (3, 6.0), (4, 7.0)}
#: Total calcium's adult limits (mg/dL, as the file writes them): critical 6/13, interval
#: 8.5-10.2; in mmol/L these are 1.497/3.244 and 2.121/2.545.
CA_LIMITS_MG_DL = (6.0, 8.5, 10.2, 13.0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ZONES_IN_ORDER = [CRITICAL, ABNORMAL, NORMAL, ABNORMAL, CRITICAL]


def _edges(bands: Bands) -> list[float]:
    return [band.start for band in bands.bands] + [bands.bands[-1].end]


# --------------------------------------------------------------------------- geometry


def test_potassium_bands_are_its_limits(ref: Reference) -> None:
    result = interpret(ref, "k", 3.1, "mmol/L")
    bands = bands_of(ref, result, [result.value])
    assert bands.unit == "mmol/L"
    assert bands.limits == K_LIMITS
    assert [band.zone for band in bands.bands] == ZONES_IN_ORDER
    assert _edges(bands)[1:-1] == list(K_LIMITS)
    assert set(bands.cuts) == K_CUTS


def test_bands_end_where_the_gauge_does(ref: Reference) -> None:
    result = interpret(ref, "k", 7.9, "mmol/L")
    scale = scale_of(ref, result, [result.value])
    bands = bands_of(ref, result, [result.value])
    assert (bands.low, bands.high) == pytest.approx((scale.low, scale.high))
    assert bands.low < 7.9 < bands.high


def test_bands_are_drawn_in_the_unit_entered(ref: Reference) -> None:
    result = interpret(ref, "ca", 7.6, "mg/dL")
    bands = bands_of(ref, result)
    assert bands.unit == "mg/dL"
    # The file's own numbers, not 2.121 and 2.545 mmol/L.
    assert bands.limits == CA_LIMITS_MG_DL
    assert _edges(bands)[1:-1] == list(CA_LIMITS_MG_DL)
    assert bands.at(result.value) == pytest.approx(7.6)
    assert (3, 7.0) in bands.cuts  # hypocalcemia grade 3 below 7.0 mg/dL


def test_a_corrected_result_is_drawn_against_the_analyte_it_corrects(ref: Reference) -> None:
    report = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"])
    measured, corrected = report.results
    assert corrected.analyte != measured.analyte
    assert bands_of(ref, corrected).limits == bands_of(ref, measured).limits == CA_LIMITS_MG_DL
    assert bands_of(ref, corrected).at(corrected.value) == pytest.approx(8.8)


def test_mEq_per_litre_doubles_magnesium(ref: Reference) -> None:
    in_mmol = bands_of(ref, interpret(ref, "mg", 0.5, "mmol/L"))
    in_meq = bands_of(ref, interpret(ref, "mg", 1.0, "mEq/L"))
    assert in_meq.unit == "mEq/L"
    assert in_meq.limits == pytest.approx(tuple(2 * x for x in in_mmol.limits))


def test_bands_follow_the_reference_file(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["potassium"]["reference"][0].update(low=3.6, high=5.1)

    changed = load_reference(write_reference(edit))
    result = interpret(changed, "k", 4.0, "mmol/L")
    assert bands_of(changed, result).limits == (2.8, 3.6, 5.1, 6.2)


@given(value=st.floats(min_value=0.8, max_value=15.0))
def test_each_band_has_the_zone_the_gauge_gives(ref: Reference, value: float) -> None:
    result = interpret(ref, "k", value, "mmol/L")
    scale = scale_of(ref, result, [result.value])
    bands = bands_of(ref, result, [result.value])
    where = bands.at(value)
    if where in _edges(bands):
        return  # on a limit: the band on either side holds it
    (band,) = [b for b in bands.bands if b.start < where < b.end]
    assert band.zone == scale.zone(value)


# --------------------------------------------------------------------------- sweep steps

#: A hand-built potassium-like axis: interval 3.5-5.0, a grade 3 cut at 3.0, grade 4 at 2.5.
HAND = Bands(
    unit="mmol/L",
    low=2.0,
    high=8.0,
    bands=(Band(2.0, 2.8, CRITICAL), Band(2.8, 3.5, ABNORMAL), Band(3.5, 8.0, NORMAL)),
    limits=(2.8, 3.5, 5.0, 6.2),
    cuts=((3, 3.0), (4, 2.5)),
    per_mmol=1.0,
)


def test_a_step_is_drawn_at_the_cut_point_of_the_higher_grade() -> None:
    corners = grade_steps(HAND, [(2.0, 4), (2.75, 3), (3.25, 1), (4.0, 0)])
    assert corners == [
        (2.0, 4),
        (2.5, 4),  # grade 4 below 2.5: the step is at the cut, not halfway (2.375)
        (2.5, 3),
        (2.75, 3),
        (3.0, 3),  # grade 3 below 3.0
        (3.0, 1),
        (3.25, 1),
        (3.5, 1),  # grade 1 up to the interval's low limit
        (3.5, 0),
        (4.0, 0),
    ]


def test_a_step_with_no_boundary_between_is_drawn_halfway() -> None:
    assert grade_steps(HAND, [(6.0, 0), (7.0, 2)]) == [(6.0, 0), (6.5, 0), (6.5, 2), (7.0, 2)]


def test_equal_grades_need_no_step() -> None:
    assert grade_steps(HAND, [(3.6, 0), (4.0, 0)]) == [(3.6, 0), (4.0, 0)]


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.png", "png"),
        ("A.PNG", "png"),
        ("dir/b.svg", "svg"),
        ("c.html", "html"),
        ("d.htm", "html"),
    ],
)
def test_kind_by_extension(name: str, kind: str) -> None:
    assert plot_kind(name) == kind


@pytest.mark.parametrize("name", ["a.pdf", "a.jpg", "png", "a.png.txt", "-"])
def test_other_extensions_are_refused(name: str) -> None:
    with pytest.raises(InputError, match=r"give a file name ending in \.png, \.svg or \.html"):
        plot_kind(name)


def test_an_unknown_kind_is_refused(ref: Reference) -> None:
    with pytest.raises(InputError, match="expected png, svg or html"):
        plot_results(ref, [interpret(ref, "k", 4.0, "mmol/L")], "pdf")


def test_nothing_to_draw(ref: Reference) -> None:
    with pytest.raises(InputError, match="nothing to draw"):
        plot_results(ref, [], "png")
    implausible = sweep(ref, "k", 100, 200, 50)
    assert all(row.result is None for row in implausible.rows)
    with pytest.raises(InputError, match="nothing to draw"):
        plot_sweep(ref, implausible, "png")


def test_without_matplotlib_a_clear_error(ref: Reference, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    result = interpret(ref, "k", 4.0, "mmol/L")
    with pytest.raises(PlotError) as info:
        plot_results(ref, [result], "png")
    assert str(info.value) == "plots need matplotlib: pip install 'electrocheck[plot]'" == MISSING
    assert isinstance(info.value, ElectrocheckError)
    with pytest.raises(PlotError):
        plot_sweep(ref, sweep(ref, "k", 2, 8), "svg")


# --------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def panel() -> tuple[Reference, Any]:
    reference = load_reference()
    return reference, run_check(reference, ["ca=7.6mg/dL", "k=3.1", "na=128"]).results


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return " ".join(" ".join(element.itertext()) for element in root.iter())


@needs_matplotlib
def test_png(panel: tuple[Reference, Any]) -> None:
    reference, results = panel
    data = plot_results(reference, results, "png")
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= 1500 and height > width / 2  # three stacked panels, projector-sized


@needs_matplotlib
def test_svg_holds_the_labels_and_the_values(panel: tuple[Reference, Any]) -> None:
    reference, results = panel
    text = _svg_text(plot_results(reference, results, "svg"))
    for label in ("Calcium (total)", "Potassium", "Sodium", "mg/dL", "G3"):
        assert label in text
    for limit in ("8.5", "10.2", "13", "2.8", "3.5", "6.2", "135", "145"):
        assert limit in text.split(), limit
    for value in ("7.6 mg/dL (1.896 mmol/L)", "3.1 mmol/L", "128 mmol/L"):
        assert value in text
    assert "Decision support, not a diagnosis" in text


@needs_matplotlib
def test_the_same_picture_gives_the_same_svg(panel: tuple[Reference, Any]) -> None:
    reference, results = panel
    assert plot_results(reference, results, "svg") == plot_results(reference, results, "svg")


@needs_matplotlib
def test_html_is_self_contained(panel: tuple[Reference, Any]) -> None:
    reference, results = panel
    page = plot_results(reference, results, "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1 and "</svg>" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    for fetched in ("<script", "src=", 'href="http', "url(http", "@import"):
        assert fetched not in page
    assert "<li>Potassium: 3.1 mmol/L, L (low), CTCAE grade 1;" in page
    body = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert "3.1 mmol/L" in _svg_text(body.encode("utf-8"))


@needs_matplotlib
def test_sweep_pictures(ref: Reference) -> None:
    result = sweep(ref, "ca", 4, 16, 1, "mg/dL")
    png = plot_sweep(ref, result, "png")
    assert png.startswith(PNG_MAGIC) and len(png) > 20_000
    text = _svg_text(plot_sweep(ref, result, "svg"))
    assert "Calcium (total)" in text and "CTCAE grade" in text and "mg/dL" in text
    for limit in ("6", "8.5", "10.2", "13"):
        assert limit in text.split(), limit
    page = plot_sweep(ref, result, "html").decode("utf-8")
    assert "<svg" in page and "<li>7.6 mg/dL" not in page and "<li>7 mg/dL: L (low)" in page


@needs_matplotlib
def test_drawing_leaves_matplotlib_settings_alone(panel: tuple[Reference, Any]) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    plot_results(*panel, "svg")
    assert dict(matplotlib.rcParams) == before
