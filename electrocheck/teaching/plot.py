"""Pictures for a screen or a projector: each value on its coloured bands (``check --plot``),
and a sweep as CTCAE grade against value over the same bands (``sweep --plot``).

The bands are the text gauge's (:mod:`electrocheck.teaching.gauge`): the same scale, zones
and grade cut-points, so the picture and the gauge agree. They are drawn in the unit the
value was entered in, converted from mmol/L by the analyte's own factor (the one the value
was converted by), so the labelled limits are the file's own numbers (8.5 and 10.2 mg/dL).

A picture is PNG, SVG (its text kept as text), or HTML: the SVG in a page that needs nothing
else, no script and no network. :func:`plot_results` and :func:`plot_sweep` return the bytes;
writing them whole is the caller's business.

matplotlib (the ``plot`` extra: ``pip install 'electrocheck[plot]'``) is imported inside the
functions that draw, and only there: nothing else waits for it. pyplot is never used; figures
are drawn on the Agg canvas, so no window ever opens.
"""

from __future__ import annotations

import html
import io
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from electrocheck.clinical.result import FLAG_WORDS, Result, denoise, format_number
from electrocheck.errors import InputError, PlotError, quote
from electrocheck.reference import Reference
from electrocheck.teaching.gauge import (
    ABNORMAL,
    CRITICAL,
    NORMAL,
    analyte_of,
    graded_cuts,
    scale_of,
)
from electrocheck.teaching.sweep import Sweep
from electrocheck.units.resolve import MMOL_PER_L, resolve_unit

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The kinds of picture, by file extension.
KINDS = {".png": "png", ".svg": "svg", ".html": "html", ".htm": "html"}
MISSING = "plots need matplotlib: pip install 'electrocheck[plot]'"

#: Zone colours. Lightness falls as a zone gets worse (pale blue, orange, dark brown), so the
#: zones read apart in grey and for every kind of colour blindness: no red against green. The
#: critical zone is hatched as well.
COLOURS = {NORMAL: "#D2E5F5", ABNORMAL: "#E69F00", CRITICAL: "#6B2A0E"}
HATCHES = {NORMAL: "", ABNORMAL: "", CRITICAL: "//"}
HATCH_COLOUR = "#B5653A"
ZONE_WORDS = {
    CRITICAL: "beyond a critical limit",
    ABNORMAL: "outside the reference interval",
    NORMAL: "within the reference interval",
}
NOTICE = "Decision support, not a diagnosis"

#: Sizes for a projector: no text below 14 pt.
STYLE = {
    # DejaVu Sans comes with matplotlib; an SVG names the others for a browser without it.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    "font.size": 16,
    "axes.titlesize": 20,
    "axes.labelsize": 16,
    "xtick.labelsize": 16,
    "ytick.labelsize": 16,
    "legend.fontsize": 15,
    "figure.titlesize": 14,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "svg.fonttype": "none",  # text stays text: searchable, and read by screen readers
    "svg.hashsalt": "electrocheck",  # the same picture gives the same file
}
WIDTH_IN = 13.0
PANEL_IN = 2.5
DPI = 150


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Band:
    """A stretch of the axis in one zone (a gauge character: CRITICAL, ABNORMAL, NORMAL)."""

    start: float
    end: float
    zone: str


@dataclass(frozen=True)
class Bands:
    """What a picture of one analyte is drawn against, every number in ``unit``."""

    unit: str
    low: float  # the ends of the axis
    high: float
    bands: tuple[Band, ...]  # left to right, covering low to high
    limits: tuple[float, ...]  # critical low, interval low, interval high, critical high
    cuts: tuple[tuple[int, float], ...]  # (grade, where) of the cut-points on the axis
    per_mmol: float  # units of ``unit`` in one mmol/L

    def at(self, mmol: float) -> float:
        """Where a value in mmol/L lies on the axis."""
        return denoise(mmol * self.per_mmol)


def bands_of(reference: Reference, result: Result, values: Iterable[float] = ()) -> Bands:
    """The bands of a result, in the unit it was entered in: the gauge's scale
    (:func:`~electrocheck.teaching.gauge.scale_of`, holding ``values`` in mmol/L), cut at the
    critical limits and the interval, each stretch in the zone the gauge gives it."""
    analyte = analyte_of(reference, result)
    unit = resolve_unit(result.entered_unit)
    scale = scale_of(reference, result, values)
    per_mmol = 1 / analyte.factor_to_mmol(unit)

    def shown(mmol: float) -> float:
        return denoise(mmol * per_mmol)

    limits = (*scale.critical[:1], *scale.reference, *scale.critical[1:])
    edges = sorted({scale.low, scale.high, *(x for x in limits if scale.low < x < scale.high)})
    bands: list[Band] = []
    for start, end in itertools.pairwise(edges):
        zone = scale.zone((start + end) / 2)
        if bands and bands[-1].zone == zone:
            bands[-1] = Band(bands[-1].start, shown(end), zone)
        else:
            bands.append(Band(shown(start), shown(end), zone))
    cuts = tuple(
        (grade, shown(mmol))
        for grade, mmol in graded_cuts(analyte, unit)
        if scale.low <= mmol <= scale.high
    )
    return Bands(
        unit.spelling,
        shown(scale.low),
        shown(scale.high),
        tuple(bands),
        tuple(shown(x) for x in limits),
        cuts,
        per_mmol,
    )


def grade_steps(bands: Bands, points: Iterable[tuple[float, int]]) -> list[tuple[float, float]]:
    """The corners of a step line through ``points`` (value, grade) in rising order of value,
    for a sweep. Between two values of different grades the step is drawn at the boundary
    that makes the difference: a cut-point of the higher grade lying between them, else (from
    grade 0) a limit of the interval, else halfway; a value on a boundary keeps its own
    grade."""
    corners: list[tuple[float, float]] = []
    previous: tuple[float, int] | None = None
    for x, grade in points:
        if previous is not None and previous[1] != grade:
            x0, g0 = previous
            lower, higher = sorted((g0, grade))
            left, right, middle = min(x0, x), max(x0, x), (x0 + x) / 2
            cuts = [at for g, at in bands.cuts if g == higher and left <= at <= right]
            limits = [at for at in bands.limits[1:3] if left <= at <= right]
            candidates = cuts or (limits if lower == 0 else []) or [middle]
            step = min(candidates, key=lambda at: abs(at - middle))
            corners += [(step, g0), (step, grade)]
        corners.append((x, grade))
        previous = (x, grade)
    return corners


def plot_kind(path: str | Path) -> str:
    """The kind of picture a file name asks for (``png``, ``svg`` or ``html``); any other
    raises :class:`InputError`."""
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError(
            f"cannot draw {quote(str(path))}: give a file name ending in .png, .svg or .html"
        )
    return kind


# --------------------------------------------------------------------------- pictures


def plot_results(reference: Reference, results: Iterable[Result], kind: str = "png") -> bytes:
    """A picture of results (``check --plot``), one band chart per result stacked, each value
    marked on its bands with its number; ``kind`` is ``png``, ``svg`` or ``html``.

    Raises :class:`PlotError` without matplotlib, :class:`InputError` for no results or an
    unknown kind."""
    results = tuple(results)
    if not results:
        raise InputError("nothing to draw: no results")
    kind = _checked(kind)
    mpl = _matplotlib()
    with _style(mpl):
        figure = _figure(WIDTH_IN, 1.2 + PANEL_IN * len(results))
        axes = figure.subplots(len(results), 1, squeeze=False)[:, 0]
        for ax, result in zip(axes, results, strict=True):
            _result_panel(mpl, ax, reference, result)
        _legend(figure, reference, _value_handle("v", "the value"))
        data = _save(figure, kind)
    captions = [_caption(result) for result in results]
    labels = ", ".join(dict.fromkeys(result.label for result in results))
    return _page(data, f"electrocheck: {labels}", captions) if kind == "html" else data


def plot_sweep(reference: Reference, sweep: Sweep, kind: str = "png") -> bytes:
    """A picture of a sweep (``sweep --plot``): the CTCAE grade of each value, as steps over
    the bands of the analyte; ``kind`` is ``png``, ``svg`` or ``html``.

    Raises :class:`PlotError` without matplotlib, :class:`InputError` when no value of the
    sweep has a result or for an unknown kind."""
    found = [row.result for row in sweep.rows if row.result is not None]
    if not found:
        raise InputError("nothing to draw: no value of the sweep is plausible")
    kind = _checked(kind)
    mpl = _matplotlib()
    # The scale the sweep's gauges are drawn against: the same result, the same values.
    bands = bands_of(reference, found[0], [r.value for r in found])
    with _style(mpl):
        figure = _figure(WIDTH_IN, 7.5)
        ax = figure.subplots()
        _sweep_panel(mpl, ax, sweep, found, bands)
        _legend(figure, reference, _value_handle("o", "a value of the sweep"))
        data = _save(figure, kind)
    if kind != "html":
        return data
    captions = [
        f"{format_number(r.entered_value)} {r.entered_unit}: {r.flag} ({FLAG_WORDS[r.flag]}), "
        f"{_grade_words(r)}"
        for r in found
    ]
    return _page(data, f"electrocheck: {sweep.label}, {sweep.unit}", captions)


# --------------------------------------------------------------------------- drawing


def _checked(kind: str) -> str:
    if kind not in KINDS.values():
        raise InputError(f"cannot draw a {quote(kind)} picture: expected png, svg or html")
    return kind


def _matplotlib() -> ModuleType:
    try:
        import matplotlib
        import matplotlib.patheffects
        from matplotlib.backends import backend_agg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        raise PlotError(MISSING) from None
    return matplotlib


@contextmanager
def _style(mpl: ModuleType) -> Iterator[None]:
    """matplotlib's settings for these pictures, and the caller's back afterwards."""
    with mpl.rc_context(STYLE):
        yield


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "png":
        figure.savefig(out, format="png", dpi=DPI)
    else:
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _halo(mpl: ModuleType, width: float) -> list[Any]:
    """A white outline, so that a black mark shows on the darkest band too."""
    return [mpl.patheffects.withStroke(linewidth=width, foreground="white")]


def _draw_bands(ax: Axes, bands: Bands, bottom: float, top: float, filled: float = 1.0) -> None:
    """The bands from ``bottom`` up to ``filled`` (a share of the height) of axes running
    from ``bottom`` to ``top``; the limits as the ticks of the x axis."""
    for band in bands.bands:
        ax.axvspan(
            band.start,
            band.end,
            ymin=0,
            ymax=filled,
            facecolor=COLOURS[band.zone],
            hatch=HATCHES[band.zone],
            edgecolor=HATCH_COLOUR if HATCHES[band.zone] else "none",
            linewidth=0,
            zorder=0,
        )
    ax.set_xlim(bands.low, bands.high)
    ax.set_ylim(bottom, top)
    ax.set_xticks(list(bands.limits), labels=[format_number(x) for x in bands.limits])
    ax.tick_params(axis="x", length=10, width=2, pad=6)


def _draw_cuts(mpl: ModuleType, ax: Axes, bands: Bands, top: float, label_at: float) -> None:
    """The cut-points as dashed lines up to ``top``, each labelled with its grade."""
    span = bands.high - bands.low
    for grade, where in bands.cuts:
        share = (where - bands.low) / span
        ax.plot(
            [where, where],
            [ax.get_ylim()[0], top],
            color="black",
            linewidth=2,
            linestyle=(0, (4, 3)),
            path_effects=_halo(mpl, 5),
            zorder=3,
        )
        ax.text(
            where,
            label_at,
            f"G{grade}",
            ha="right" if share > 0.97 else "left" if share < 0.03 else "center",
            va="center",
            fontsize=14,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "black"},
            zorder=4,
        )


def _result_panel(mpl: ModuleType, ax: Axes, reference: Reference, result: Result) -> None:
    """One result: its bands in the lower part of the axes, the value above them."""
    bands = bands_of(reference, result, [result.value])
    band_top, top = 1.0, 1.9  # above the bands, white space for the value's number
    _draw_bands(ax, bands, 0.0, top, band_top / top)
    _draw_cuts(mpl, ax, bands, band_top, 0.2)
    where = bands.at(result.value)
    ax.plot(
        [where, where],
        [0, band_top],
        color="black",
        linewidth=4,
        solid_capstyle="butt",
        path_effects=_halo(mpl, 8),
        zorder=5,
    )
    ax.plot(
        [where],
        [band_top],
        marker="v",
        markersize=20,
        color="black",
        markeredgecolor="white",
        markeredgewidth=2,
        zorder=6,
        clip_on=False,
    )
    share = (where - bands.low) / (bands.high - bands.low)
    ax.annotate(
        _value_text(result),
        (where, band_top),
        xytext=(0, 16),
        textcoords="offset points",
        ha="left" if share < 0.2 else "right" if share > 0.8 else "center",
        va="bottom",
        fontsize=18,
        fontweight="bold",
        zorder=7,
    )
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_linewidth(2)
    ax.set_title(result.label, loc="left", fontweight="bold")
    ax.set_title(_status(result), loc="right", fontsize=16)
    ax.set_xlabel(f"{bands.unit} · limits for {result.population}")


def _sweep_panel(
    mpl: ModuleType, ax: Axes, sweep: Sweep, found: list[Result], bands: Bands
) -> None:
    bottom, top = -0.6, 5.0
    _draw_bands(ax, bands, bottom, top)
    _draw_cuts(mpl, ax, bands, top, 4.6)
    xs = [bands.at(r.value) for r in found]
    ys = [r.grade or 0 for r in found]
    corners = grade_steps(bands, sorted(zip(xs, ys, strict=True)))
    ax.plot(
        [x for x, _ in corners],
        [y for _, y in corners],
        color="black",
        linewidth=3,
        path_effects=_halo(mpl, 7),
        zorder=5,
    )
    ax.plot(
        xs,
        ys,
        linestyle="none",
        marker="o",
        markersize=11,
        color="black",
        markeredgecolor="white",
        markeredgewidth=2,
        zorder=6,
    )
    ax.set_xticks(xs, minor=True)
    ax.tick_params(axis="x", which="minor", length=5, width=1.5)
    ax.set_yticks(range(5))
    ax.set_ylabel("CTCAE grade")
    ax.set_title(f"{sweep.label}: grade as the value moves", loc="left", fontweight="bold")
    ax.set_title(f"limits for {found[0].population}", loc="right", fontsize=16)
    ax.set_xlabel(bands.unit)


def _legend(figure: Figure, reference: Reference, value: Any) -> None:
    """The legend under the picture (``value`` is the handle of the value's mark), and the
    notice above it."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    zones = [
        Patch(
            facecolor=COLOURS[zone],
            hatch=HATCHES[zone],
            edgecolor=HATCH_COLOUR if HATCHES[zone] else "black",
            label=ZONE_WORDS[zone],
        )
        for zone in (CRITICAL, ABNORMAL, NORMAL)
    ]
    cut = Line2D(
        [], [], color="black", linewidth=2, linestyle=(0, (4, 3)), label="CTCAE grade cut-point"
    )
    # Three columns, filled column by column: the zones make the first row.
    handles = [zones[0], cut, zones[1], value, zones[2]]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    figure.suptitle(f"{NOTICE} · reference: {reference.origin}", x=0.01, ha="left")


def _value_handle(marker: str, label: str) -> Any:
    from matplotlib.lines import Line2D

    return Line2D(
        [], [], color="black", marker=marker, markersize=14, linestyle="none", label=label
    )


def _status(result: Result) -> str:
    return f"{result.flag} {FLAG_WORDS[result.flag]} · {_grade_words(result)}"


def _grade_words(result: Result) -> str:
    return "not graded" if result.grade is None else f"CTCAE grade {result.grade}"


def _value_text(result: Result) -> str:
    text = f"{format_number(result.entered_value)} {result.entered_unit}"
    if result.entered_unit != MMOL_PER_L:
        text += f" ({format_number(result.value)} {MMOL_PER_L})"
    return text


def _caption(result: Result) -> str:
    return (
        f"{result.label}: {_value_text(result)}, {result.flag} ({FLAG_WORDS[result.flag]}), "
        f"{_grade_words(result)}; limits for {result.population}"
    )


def _page(svg: bytes, title: str, captions: list[str]) -> bytes:
    """An HTML page holding the SVG itself: no script, nothing fetched."""
    text = svg.decode("utf-8")
    picture = text[text.index("<svg") :]  # without the XML declaration and doctype
    items = "\n".join(f"<li>{html.escape(line)}</li>" for line in captions)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ margin: 1.5rem; background: #fff; color: #000;
       font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 1.1rem; }}
svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<figure>
{picture}
<figcaption>
<ul>
{items}
</ul>
<p>{html.escape(NOTICE)}.</p>
</figcaption>
</figure>
</body>
</html>
"""
    return page.encode("utf-8")
