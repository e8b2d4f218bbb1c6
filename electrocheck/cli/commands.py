"""The ``electrocheck`` app: its commands, each parsing arguments, calling the core and
rendering the answer.

``check``, ``explain`` and ``sweep`` are here; ``batch`` and ``ranges`` have modules of their
own. What every command shares (errors as one line, exit codes, options, printing) is in
:mod:`electrocheck.cli.edge` and :mod:`electrocheck.cli.options`.
"""

import sys
from typing import Annotated, Any, Optional

import typer

from electrocheck import __version__
from electrocheck.cli import allocator, edge
from electrocheck.cli.batch_command import batch
from electrocheck.cli.edge import Group, errors_to_exit
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.options import (
    AgeOption,
    FailOn,
    FormatOption,
    NoPagerOption,
    OutputFormat,
    RangesOption,
    SexOption,
    SymptomaticOption,
    UnitsOption,
    patient_of,
    print_json,
    print_rich,
    unit_choice,
)
from electrocheck.cli.plotting import PlotOption, write_plot
from electrocheck.cli.ranges_commands import ranges_app
from electrocheck.clinical.check import run_check
from electrocheck.reference import load_reference, with_aliases
from electrocheck.reference.names import parse_aliases

app = typer.Typer(
    name="electrocheck",
    cls=Group,
    help=(
        "Interpret serum calcium, magnesium, potassium and sodium for muscle cramps and spasms "
        "in cancer care. Decision support, not a diagnosis. Example: electrocheck check "
        "ca=7.6mg/dL mg=1.1mg/dL k=3.1 na=128"
    ),
    no_args_is_help=False,
    invoke_without_command=True,
    rich_markup_mode="markdown",
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"electrocheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Interpret serum electrolytes for muscle cramps and spasms in cancer care.

    Decision support, not a diagnosis: always read results with the patient in front of you.
    """
    if ctx.invoked_subcommand is None:  # "electrocheck" alone: the help, as a request for it
        typer.echo(ctx.get_help())
        raise typer.Exit(ExitCode.OK)


@app.command()
def check(
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="VALUE...",
            help='Values as NAME=NUMBER[UNIT], e.g. ca=7.6mg/dL k=3.1 "na=128 mEq/L"; '
            "a series as NAME=VALUE@TIME, e.g. na=118@08:00 na=126@20:00 (or "
            "@2026-03-01T08:00). "
            "A value without a unit takes its unit from ELECTROCHECK_DEFAULT_UNITS, else "
            "--units, else the reference file's default unit (mmol/L). "
            "- reads the values from stdin, separated by spaces or lines.",
            show_default=False,
        ),
    ],
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            "--fail-on",
            help="Exit 1 when any value is abnormal (any flag but N) or critical (LL or HH).",
            show_default=False,
        ),
    ] = None,
    age: AgeOption = None,
    sex: SexOption = None,
    symptomatic: SymptomaticOption = False,
    aliases: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--alias",
            metavar="LABEL=ANALYTE",
            help="Read the value name LABEL as ANALYTE (any name the reference file knows it "
            "by), e.g. --alias Kalium=k; repeatable.",
            show_default=False,
        ),
    ] = None,
    plot: PlotOption = None,
    units: UnitsOption = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            "-e",
            help="After the results, say what each abnormal value does in muscle and its "
            "cancer-related causes, with every note in full.",
        ),
    ] = False,
    no_pager: NoPagerOption = False,
    on: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--on",
            metavar="DRUG",
            help="A medicine the patient takes (generic or brand name, or a code the "
            "reference file gives), e.g. --on cetuximab; repeatable or comma-separated. Each "
            "abnormal value lists first the medicines that explain it.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Interpret one or more electrolyte values.

    Example: electrocheck check ca=7.6mg/dL alb=2.5g/dL mg=1.1mg/dL k=3.1 na=128

    Shorter: electrocheck ca=7.6mg/dL k=3.1 (a value where a command would be is a check).

    Flags: N normal, L/H low/high, LL/HH beyond the critical limits; grades are CTCAE v5.0;
    spasm risk says how likely the change is to cause spasms. Under the table, one line for
    each thing to know: values beyond a critical limit, notes and caveats in short, and
    abnormal values that belong together. --explain adds, for each abnormal value, what the
    electrolyte does in muscle, what this change does and the cancer-related causes to look
    for, and every note in full. Albumin (alb=) adds albumin-corrected calcium, glucose (glu=)
    glucose-corrected sodium.
    A value that cannot be read is reported on stderr and the others are still shown; the
    exit code is then 2.

    With --on DRUG, each abnormal value lists first the patient's medicines that explain it
    (from the reference file's medications, with their mechanism and source); the general
    causes follow without them. A medicine that explains none of the values is said once; a
    name the file does not know is a warning on stderr with the nearest known names.

    Values at times (na=118@08:00 na=126@20:00) are a series: the table shows the latest of
    each analyte; under it, the values with a sparkline, the last change and its rate per
    24 h, and the notes of batch on changes over time (a correction too fast, a delta check,
    a trend). Clock times of one analyte are taken in the order typed, a time not after the
    one before it on the next day; or give dates and times (2026-03-01T08:00), never both.
    """
    with errors_to_exit():
        reference = with_aliases(load_reference(ranges), parse_aliases(aliases or []))
        choice = unit_choice(units, reference)
        tokens = edge.values_with_stdin(values, sys.stdin)
        patient = patient_of(age, sex, symptomatic)
        if any("@" in token for token in tokens):  # values at times: polars, loaded only now
            from electrocheck.batch.series import run_series

            report = run_series(reference, tokens, patient, choice, keep_going=True)
        else:
            report = run_check(reference, tokens, patient, choice, keep_going=True)
        if on:  # loaded only with medicines: a check without them reads no medicine
            from electrocheck.clinical.medications import read_medicines, with_medicines

            given = read_medicines(reference, on)
            report = with_medicines(reference, report, given.given)
    if on:
        for problem in given.problems:  # a hint; the check runs without that medicine
            edge.report_warning(problem)
    if plot is not None and report.results:
        from electrocheck.teaching.plot import plot_results

        write_plot(plot, lambda kind: plot_results(reference, report.results, kind))
    if report.results or not report.errors:
        if output_format is OutputFormat.json:
            print_json(report.to_dict())
        else:
            from electrocheck.cli.render import print_check

            print_check(report, sys.stdout, reference, explain, pager=not no_pager)
    sys.stdout.flush()  # the results first, then what could not be read
    for error in report.errors:
        edge.report_error(error)
    if report.errors:
        raise typer.Exit(ExitCode.ERROR)
    if report.fails(None if fail_on is None else fail_on.value):
        raise typer.Exit(ExitCode.CONDITION_MET)


# batch comes second in --help, as in the README: after check, before the teaching commands.
app.command()(batch)


@app.command()
def explain(
    analyte: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(
            metavar="[ANALYTE]",
            help="ca, ica, mg, k, na, or any name or LOINC code; none for an overview.",
            show_default=False,
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
    units: UnitsOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Explain what an electrolyte does in muscle, and what its lack or excess does.

    Example: electrocheck explain mg

    For one analyte: its role in muscle; for a low and a high level the effect on muscle, the
    spasm risk, the cancer-related causes and what is done about it; its reference interval,
    critical limits and CTCAE grade cut-points; what helps spasms whatever their cause; and
    the sources of all of it. Without an analyte: all of them side by side.
    """
    from electrocheck.teaching.explain import explain as explain_one
    from electrocheck.teaching.explain import overview

    with errors_to_exit():
        reference = load_reference(ranges)
        system = unit_choice(units).system
        data: Any = (
            overview(reference, system)
            if analyte is None
            else explain_one(reference, analyte, system)
        )
    if output_format is OutputFormat.json:
        print_json(data)
        return
    from electrocheck.cli.render_teaching import render_explain, render_overview

    print_rich(
        lambda out: render_overview(data, out) if analyte is None else render_explain(data, out),
        pager=not no_pager,
    )


@app.command()
def sweep(
    analyte: Annotated[
        str,
        typer.Argument(metavar="ANALYTE", help="ca, ica, mg, k, na, or any name or LOINC code."),
    ],
    start: Annotated[
        float, typer.Option("--from", help="First value, in --unit.", show_default=False)
    ],
    stop: Annotated[float, typer.Option("--to", help="Last value, in --unit.", show_default=False)],
    step: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            "--step",
            help="Distance between values; by default a round step giving about 20 values.",
            show_default=False,
        ),
    ] = None,
    unit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--unit",
            help="Unit of the values (default: from ELECTROCHECK_DEFAULT_UNITS, else "
            "--units, else the analyte's default, mmol/L).",
            show_default=False,
        ),
    ] = None,
    age: AgeOption = None,
    sex: SexOption = None,
    symptomatic: SymptomaticOption = False,
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
    plot: PlotOption = None,
    units: UnitsOption = None,
) -> None:
    """Show how flag, grade and spasm risk change as a value moves.

    Example: electrocheck sweep k --from 2 --to 8

    Each row is one value, interpreted as check would, with a gauge that shows where it falls
    against the critical limits, the reference interval and the grade cut-points.
    """
    from electrocheck.teaching.sweep import sweep as run_sweep

    with errors_to_exit():
        reference = load_reference(ranges)
        patient = patient_of(age, sex, symptomatic)
        choice = unit_choice(units, reference)
        result = run_sweep(reference, analyte, start, stop, step, unit, patient, choice)
    if plot is not None:
        from electrocheck.teaching.plot import plot_sweep

        write_plot(plot, lambda kind: plot_sweep(reference, result, kind))
    if output_format is OutputFormat.json:
        print_json(result.to_dict())
        return
    from electrocheck.cli.render_teaching import render_sweep

    print_rich(lambda out: render_sweep(result, out))


app.add_typer(ranges_app, name="ranges")


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, and keep any traceback from the user."""
    import gc

    if argv is None:
        # Run as the console script, the process is the command's: what is loaded now lives
        # to its end. Frozen, the collector never scans it again, nor at exit (about 10 ms
        # of every start). A caller that passes argv keeps its collector as it was.
        gc.freeze()
        # Set before polars loads, for this process and the helpers it starts.
        allocator.share_one_arena()
    # Reading the reference file makes thousands of records that live to the end, which the
    # collector need not scan again and again.
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        return edge.run(app, argv)
    finally:
        gc.set_threshold(*threshold)
