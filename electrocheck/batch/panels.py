"""Panels of a long file: the rows of one specimen read together, as one wide row is.

A long file holds one result per row. Where it says which rows come from one specimen (a
specimen or accession number), or whose they are and when they were collected (a patient and
a collection time: see :class:`~electrocheck.batch.layout.PanelColumns`), the rows of one
panel get what a wide row gets: albumin-corrected calcium and glucose-corrected sodium, each
an added row right after the result it corrects, and the patterns of abnormal values that
belong together, on each row whose result takes part in one. The clinical rules are those of
the wide layout, by the same code: :class:`~electrocheck.batch.corrected.Corrector` (the
core's :func:`~electrocheck.clinical.corrections.corrected_value` and ``corrected_result``)
and :class:`~electrocheck.batch.patterns.PatternFinder` (the rule of
:func:`~electrocheck.clinical.patterns.sides`).

The rows of a panel may lie anywhere in the file, so there are two passes over its rows
(read once and kept, twice streaming, or a part of its patients at a time: see
:mod:`~electrocheck.batch.panel_reading`):

1. :meth:`Panels.first_pass` reads each block's key columns (once per distinct combination
   of their texts) and the flags of the results of its analytes (the engine's own
   interpretation, each distinct value once), and folds them into one row per panel: per
   analyte the number of results and the lowest and highest flag; the measured value of each
   analyte a correction corrects, and the covariate's cell. The corrected results and the
   patterns of each panel follow. It also keeps a few small columns per row: why the row is
   alone, its age from its date of birth, what its test names, and its panel's number (found
   by the hash of its key, where no two keys share one).
2. The run's usual pass takes each row's panel from that table by number
   (:meth:`Panels.before`, before the engine: whether the row's calcium will be corrected
   decides whether it is graded, as in ``check``), and adds the panel's columns and corrected
   rows after it (:meth:`Panels.after`). Where two keys share a hash, it reads the keys again
   and joins the table by key.

Panels are numbered in order of patient, then time, then specimen number, so the same file in
any row order gives each row the same panel, and the rows of one patient can be read in time
order by the number. Bad keys never lose a row: a row without a patient, or whose collection
time cannot be read (and without a specimen number), is interpreted alone, with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import polars as pl

from electrocheck.batch import trends
from electrocheck.batch.cells import blank_to_null, constant, without_blank_lines
from electrocheck.batch.columns import (
    FLAG_CODES,
    NOTES_SEP,
    PATTERN_NOTES,
    added_names,
    error_columns,
)
from electrocheck.batch.corrected import Corrector
from electrocheck.batch.covariates import CovariateReader
from electrocheck.batch.distinct import SourceInterpreter
from electrocheck.batch.engine import MEASURED_NUMBER, MEASURED_UNIT, BatchInterpreter
from electrocheck.batch.layout import Layout, PanelColumns
from electrocheck.batch.naming import BLOOD_KIND, OTHER_SPECIMEN_NAME, SpecimenKinds, TestNames
from electrocheck.batch.patient import (
    AGE,
    AGE_DAYS,
    PATIENT_ERROR,
    SEX,
    SYMPTOMATIC,
    canonical_columns,
    symptoms_matter,
)
from electrocheck.batch.patterns import PatternFinder, meets
from electrocheck.batch.signs import sign_counts
from electrocheck.batch.sources import PANEL_COVARIATE, SPECIMEN_KIND, plain, sources
from electrocheck.batch.summary import ALONE_REASONS, PanelSummary
from electrocheck.batch.threads import prefetched, started
from electrocheck.batch.times import TimeReader
from electrocheck.batch.trends import CODE, VALUE, changes_of, tracked
from electrocheck.batch.warehouse import test_expressions, unit_expression
from electrocheck.formats.frame import ROW_ERROR, internal_names
from electrocheck.reference import PATTERN_LEVELS, Correction, Reference

# Columns added to a batch (besides those of the engine).
PATIENT, SPECIMEN, TIME, WHEN = "k_patient", "k_specimen", "k_time", "k_when"
ALONE, BAD_TIME, BIRTH, ANALYTE, COVARIATE = "k_alone", "k_bad_time", "k_birth", "k_an", "k_cov"
SHARED, USABLE = "k_shared", "k_usable"
PANEL, ROW, ORDER, HASH = "k_panel", "k_row", "k_order", "k_hash"
#: The seed of the hash of a row's panel key (its patient, specimen and time), and of its
#: patient's id alone.
_SEED, _PATIENT_SEED = 0x5EED, 0x7A7
KEYS = [PATIENT, SPECIMEN, TIME]
#: Why a row is not in a panel (0: it is).
IN_PANEL, NO_PATIENT, NO_TIME, NO_SPECIMEN = 0, 1, 2, 3
#: What became of a row's age from its date of birth (0: none given, or read).
BIRTH_UNREADABLE, BIRTH_AFTER, BIRTH_NO_TIME = 1, 2, 3
_DAY_MS = 86_400_000.0
#: The fields of a corrected result the panel table keeps for the second pass.
_CORRECTED = ("mmol_l", "flag", "grade", "risk", "limits", "error")
#: Flag codes (:data:`FLAG_CODES`, and 0 for none) a pattern's level is looked up by.
_CODES = max(FLAG_CODES.values()) + 1
#: Rows of partial panel tables gathered before they are folded together again.
_FOLD_AT = 500_000
#: A note on a row: where it is said, and its text.
_Note = tuple[pl.Expr, pl.Expr]


class Panels:
    """The panels of one long file: built by :meth:`first_pass`, applied batch by batch by
    :meth:`before` and :meth:`after`."""

    def __init__(
        self,
        layout: Layout,
        reference: Reference,
        interpreter: BatchInterpreter,
        whole: PanelSummary | None = None,
        first_row: int = 0,
        first_panel: int = 0,
    ):
        """A part of a file's patients (see :mod:`~electrocheck.batch.panel_reading`) has
        the summary of the ``whole`` file (None: the panels are the whole file's), which its
        counts join on the first :meth:`after` (the thread that writes it), and its rows and
        panels are numbered on from ``first_row`` and ``first_panel``."""
        assert layout.panels is not None and layout.long is not None
        self.layout = layout
        self.columns: PanelColumns = layout.panels
        self.reference = reference
        self.interpreter = interpreter
        self.names = TestNames(reference)
        self.times, self.births = TimeReader(), TimeReader()
        self.specimens = (
            SpecimenKinds(layout.specimen, reference.specimen_words)
            if layout.specimen is not None
            else None
        )
        self.analytes = list(reference.analytes)
        self.corrections: list[Correction] = list(reference.corrections.values())
        self.covariates = sorted({c.covariate for c in self.corrections})
        self.readers = {
            key: CovariateReader(reference, key, reference.covariates[key].label, {})
            for key in self.covariates
        }
        # The first pass needs each result's flag and measured value, not its texts.
        fields: tuple[str, ...] = ("flag", "flag_code", "number", "spelling", "censored", "error")
        # Changes over time: each result's value and time kept too, where patient and time are.
        self.tracks = tracked(layout)
        fields += ("mmol_l",) if self.tracks else ()
        self.changes: trends.Answers | None = None  # each row's changes over time
        self.measured = SourceInterpreter(
            sources(layout, reference)[0], interpreter.patient, reference, fields
        )
        # One corrector per correction for both passes: the second finds the first's answers.
        self.correctors = {
            c.key: Corrector(
                reference, c.key, c.corrects, self.readers[c.covariate], interpreter.fields
            )
            for c in self.corrections
        }
        self.finder = PatternFinder(
            reference,
            [a for a in self.analytes for _ in range(2)] + [c.key for c in self.corrections],
        )
        self.pattern_notes: dict[int, str | None] = {}
        # The patterns a result of each analyte takes part in at each level, as bits.
        self.sides: dict[str, dict[str, int]] = {level: {} for level in PATTERN_LEVELS}
        for n, pattern in enumerate(reference.patterns):
            for analyte, side in pattern.when:
                mask = self.sides[side].get(analyte, 0) | (1 << n)
                self.sides[side][analyte] = mask
        self.side_index, self.side_table = self._sides_table()
        # The patterns judged on the values as measured, as bits: a corrected result does
        # not stand in for the analyte it corrects in them.
        self.on_measured = sum(1 << n for n, p in enumerate(reference.patterns) if p.measured)
        self.internal: list[str] = []
        # The corrected results are kept in the panel table where the output needs no texts.
        self.keeps_corrected = "notes" not in interpreter.fields
        self.keys: pl.DataFrame | None = None  # raw key -> panel number
        self.shared: pl.DataFrame | None = None  # specimen numbers of two patients or more
        self.table: pl.DataFrame | None = None  # panel number -> what the panel holds
        # What the first pass learnt of each row, for the second: why it is alone, its time
        # and date of birth read, what its test names, and its panel (while the first pass
        # runs, the hash of its key). None where two keys share a hash: the second pass then
        # reads the keys again.
        self.kept: list[pl.DataFrame] = []
        self.rows: pl.DataFrame | None = None
        self.named = pl.Enum(sorted(set(self.analytes) | set(reference.covariates)))
        self.summary = PanelSummary(columns=self._shown_columns(), window=self.columns.window)
        self.whole = whole
        # The rows and panels of earlier parts: added to this part's numbers where written.
        self.first_row, self.first_panel = first_row, first_panel
        self.rows_seen = 0
        self.rows_kept = 0  # rows read by the first pass
        names = added_names(layout)
        self.r = {name: f"r{i}" for i, name in enumerate(names)}

    # ----------------------------------------------------------------------- keys

    def _shown_columns(self) -> dict[str, str]:
        header = self.layout.header
        c = self.columns
        shown = {}
        if c.patient is not None:
            shown["patient"] = plain(header[c.patient])
        if c.time is not None:
            shown["time"] = plain(header[c.time]) + (
                f"+{plain(header[c.clock])}" if c.clock is not None else ""
            )
        for role, index in (("specimen", c.specimen), ("birth", c.birth)):
            if index is not None:
                shown[role] = plain(header[index])
        return shown

    def with_keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with each row's panel key, why it is alone, its age from its date of
        birth, and the analyte or covariate its test names. The keys are read once for each
        distinct combination of the key columns' texts (the rows of one specimen share one)."""
        raw = [f"c{i}" for i in self.columns.indexes()]
        texts = frame.select(raw).with_columns(pl.struct(raw).hash(_SEED).alias(HASH))
        # The first row of each hash stands for the others (and where two texts share a
        # hash, the distinct texts are read instead).
        keyed = self._keys(texts.filter(pl.col(HASH).is_first_distinct()))
        joined = texts.select(HASH).join(keyed, on=HASH, how="left", maintain_order="left")
        if _same(texts, joined, raw):
            return self._named(frame.hstack(joined.drop(*raw, HASH)))
        keyed = self._keys(frame.select(raw).unique())
        frame = frame.join(keyed, on=raw, how="left", nulls_equal=True, maintain_order="left")
        return self._named(frame)

    def _named(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with its specimens' kinds and what its tests name."""
        if self.specimens is not None:
            frame = self.specimens.add(frame)
        return self._with_names(frame)

    def _keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (of the key columns) with each row's panel key, why it is alone, and its
        age from its date of birth."""
        c = self.columns
        col = pl.col
        added: list[pl.Series | pl.Expr] = []
        if c.time is not None:
            clocks = frame[f"c{c.clock}"] if c.clock is not None else None
            when = self.times.read(frame[f"c{c.time}"], clocks)
        else:
            when = constant(WHEN, None, frame.height, pl.Datetime("ms"))
        added.append(when.alias(WHEN))
        given_time = (
            blank_to_null(col(f"c{c.time}")).is_not_null() if c.time is not None else pl.lit(False)
        )
        if c.clock is not None:
            given_time = given_time | blank_to_null(col(f"c{c.clock}")).is_not_null()
        patient = blank_to_null(col(f"c{c.patient}")) if c.patient is not None else pl.lit("")
        specimen = (
            blank_to_null(col(f"c{c.specimen}"))
            if c.specimen is not None
            else pl.lit(None, pl.String)
        )
        grouped_time = c.patient is not None and c.time is not None
        alone = (
            pl.when(patient.is_null())
            .then(pl.lit(NO_PATIENT))
            .when(specimen.is_not_null())
            .then(pl.lit(IN_PANEL))
            .when(pl.lit(not grouped_time))
            .then(pl.lit(NO_SPECIMEN))
            .when(col(WHEN).is_null())
            .then(pl.lit(NO_TIME))
            .otherwise(pl.lit(IN_PANEL))
            .cast(pl.Int8)
        )
        frame = frame.with_columns(added).with_columns(
            patient.alias(PATIENT),
            specimen.alias(SPECIMEN),
            pl.when(specimen.is_null()).then(col(WHEN)).alias(TIME),
            alone.alias(ALONE),
            (given_time & col(WHEN).is_null()).alias(BAD_TIME),
        )
        frame = frame.with_columns(
            pl.when(col(ALONE) != IN_PANEL).then(None).otherwise(col(name)).alias(name)
            for name in KEYS
        )
        if c.birth is not None:
            born = self.births.read(frame[f"c{c.birth}"])
            days = (col(WHEN) - born.alias("born")).dt.total_milliseconds() / _DAY_MS
            given = blank_to_null(col(f"c{c.birth}")).is_not_null()
            frame = frame.with_columns(born.alias("k_born")).with_columns(
                pl.when(days >= 0).then(days).alias(AGE_DAYS),
                pl.when(given & col("k_born").is_null())
                .then(pl.lit(BIRTH_UNREADABLE))
                .when(given & col(WHEN).is_null())
                .then(pl.lit(BIRTH_NO_TIME))
                .when(given & (days < 0))
                .then(pl.lit(BIRTH_AFTER))
                .otherwise(pl.lit(0))
                .cast(pl.Int8)
                .alias(BIRTH),
            )
        return frame

    def _with_names(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The analyte (by the engine's reading of test names) or covariate each row's test
        columns name, each distinct text once."""
        # The texts as named: an OMOP concept id as its LOINC code.
        named_tests = test_expressions(self.layout, self.reference)
        tests = [f"tn{i}" for i in range(len(named_tests))]
        frame = frame.with_columns(e.alias(t) for e, t in zip(named_tests, tests, strict=True))
        distinct = frame.select(tests).unique()
        analytes, covariates = [], []
        for texts in distinct.iter_rows():
            answers = [self.names.read(text) for text in texts]
            named = next((key for key, _ in answers if key is not None), None)
            analytes.append(named)
            covariate = None
            if named is None and all(
                code != OTHER_SPECIMEN_NAME for _, code in answers
            ):  # not another specimen
                covariate = next(
                    (
                        found
                        for text in texts
                        if text and (found := self.reference.covariate_key(text)) is not None
                    ),
                    None,
                )
            covariates.append(covariate)
        table = distinct.with_columns(
            pl.Series(ANALYTE, analytes, dtype=pl.String),
            pl.Series(COVARIATE, covariates, dtype=pl.String),
        )
        joined = frame.join(table, on=tests, how="left", nulls_equal=True, maintain_order="left")
        return joined.drop(tests)

    # ----------------------------------------------------------------------- first pass

    def first_pass(
        self, batches: Iterator[tuple[pl.DataFrame, int]], at_once: bool = False
    ) -> None:
        """Read every row's key and result once, and build the table of panels. ``at_once``:
        the changes over time are compared while the table is made, on another core (where
        the rows are few enough for the memory of both)."""
        partials: list[pl.DataFrame] = []
        gathered = 0
        folded = 0
        originals = internal_names(len(self.layout.header))
        # Two steps on two cores: the next batch's keys are read while this one's results
        # are interpreted and folded (each step in row order).
        keyed = prefetched(
            self._keyed(without_blank_lines(batch, originals)[0]) for batch, _ in batches
        )
        for frame in keyed:
            facts = self._facts(frame)
            partials.append(facts.group_by(KEYS).agg(self._aggregates(raw=True)))
            gathered += partials[-1].height
            # Folded when the rows gathered since the last fold outnumber the folded table:
            # each row is folded a few times at most.
            if gathered > max(_FOLD_AT, 2 * folded):
                partials = [self._fold(partials)]
                folded = gathered = partials[0].height
        if not partials:
            partials.append(self._facts(self._keyed(_empty(len(self.layout.header)))).head(0))
            partials = [partials[0].group_by(KEYS).agg(self._aggregates(raw=True))]
        table = self._fold(partials)
        del partials
        # Changes over time compared last, when the panel table is made and the kept rows
        # indexed: their memory is not needed at once.
        self.rows_kept = sum(block.height for block in self.kept)
        tracked = []
        if self.tracks:
            patients = table[PATIENT].drop_nulls().n_unique()
            tracked.append(self._tracked_rows())
        compared = (
            started(lambda: self._changes(tracked, patients, in_row_order=True))
            if tracked and at_once
            else None
        )
        self._finish(table)
        del table
        self._index_rows()
        if compared is not None:
            compared()
        elif tracked:
            self._changes(tracked, patients)

    def _tracked_rows(self) -> tuple[pl.DataFrame, int]:
        """The kept rows with a result, time and patient (taken out of them): their number
        from 0, analyte, time, value, flag and patient's hash (see
        :func:`~electrocheck.batch.trends.changes_of`); and how many distinct hashes of
        patients all the kept rows hold."""
        columns = [trends.WHEN, VALUE, CODE, trends.PATIENT]
        found, hashes = [], []
        start = 0
        for n, block in enumerate(self.kept):
            found.append(trends.results_of(block, ANALYTE, start))
            hashes.append(block[trends.PATIENT].drop_nulls().unique())
            start += block.height
            self.kept[n] = block.drop(columns)
        return pl.concat(found), pl.concat(hashes).n_unique()

    def _changes(
        self, tracked: list[tuple[pl.DataFrame, int]], patients: int, in_row_order: bool = False
    ) -> None:
        """Each row's changes over time, from the kept rows' times, values and patients (taken
        out of ``tracked``, from :meth:`_tracked_rows`; ``patients``: how many distinct ids
        the panels hold)."""
        if tracked[-1][1] != patients:
            self.summary.notes["changes_not_compared"] += self.rows_kept  # two ids share a hash
            return
        # (Taken out of the list, so the comparisons can let go of the rows as they go.)
        self.changes = changes_of(
            tracked.pop()[0],
            self.rows_kept,
            self.reference.changes,
            self.summary.notes,
            in_row_order=in_row_order,
        )

    def _keyed(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The rows of one batch with their keys, patient columns and whether their results
        can take part in a panel."""
        col = pl.col
        frame = self.with_keys(batch).with_columns(pl.lit(False).alias(PANEL_COVARIATE))
        frame = self.interpreter.with_patient(frame)
        usable = col(ALONE) == IN_PANEL
        if SPECIMEN_KIND in frame.columns:
            usable = usable & (col(SPECIMEN_KIND) == BLOOD_KIND)
        if PATIENT_ERROR in frame.columns:
            usable = usable & col(PATIENT_ERROR).is_null()
        if ROW_ERROR in frame.columns:
            usable = usable & col(ROW_ERROR).is_null()
        return frame.with_columns(usable.alias(USABLE))

    def _facts(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The keys and results of the rows of one batch (from :meth:`_keyed`). Only the
        results of the rows of a panel whose test names an analyte are interpreted."""
        col = pl.col
        measured = frame.select(col(USABLE) & col(ANALYTE).is_not_null()).to_series()
        parts = [frame.filter(measured), frame.filter(~measured & (col(ALONE) == IN_PANEL))]
        found = self.measured.results(parts[0])
        self._keep_rows(frame, measured, found)
        parts[0] = parts[0].hstack(found)
        parts[1] = parts[1].with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in found.schema.items()
        )
        return pl.concat([self._fact_columns(part) for part in parts])

    def _fact_columns(self, frame: pl.DataFrame) -> pl.DataFrame:
        col = pl.col
        long = self.layout.long
        assert long is not None
        value = [f"c{i}" for i in (long.value, long.numeric) if i is not None]
        cov_text = pl.coalesce([blank_to_null(col(v)) for v in value])
        cov_unit = unit_expression(self.layout, self.reference)
        if cov_unit is None:
            cov_unit = pl.lit(None, pl.String)
        # Texts of few values as categories while the partial tables are folded.
        few = pl.Categorical()
        frame = self.interpreter.signs.with_panel_facts(
            frame, long.tests, cov_text.fill_null(""), cov_unit
        )
        return frame.select(
            *KEYS,
            WHEN,
            pl.when(col(USABLE) & col("flag").is_not_null())
            .then(col(ANALYTE))
            .cast(self.named)
            .alias("a"),
            col("flag").cast(few),
            "flag_code",
            "number",
            col("spelling").cast(few),
            col("censored").cast(few),
            self.interpreter.patient_column(frame, AGE, pl.Int32).alias(AGE),
            self.interpreter.patient_column(frame, SEX, pl.String).cast(few).alias(SEX),
            self.interpreter.patient_column(frame, SYMPTOMATIC, pl.Boolean).alias(SYMPTOMATIC),
            pl.when(col(USABLE) & cov_text.is_not_null())
            .then(col(COVARIATE))
            .cast(self.named)
            .alias("v"),
            cov_text.alias("cov_text"),
            cov_unit.cast(few).alias("cov_unit"),
            pl.col("^sg_.*$"),  # signs of the specimen in the panel's tests (batch.signs)
        )

    def _keep_rows(self, frame: pl.DataFrame, measured: pl.Series, found: pl.DataFrame) -> None:
        """Keep what the second pass needs of each row of ``frame``: a few small columns (and
        for changes over time, the time, value and flag of the ``measured`` rows' results)."""
        col = pl.col
        key = pl.when(col(ALONE) == IN_PANEL).then(pl.struct(KEYS).hash(_SEED))
        birth: list[str | pl.Expr | pl.Series] = (
            [BIRTH, AGE_DAYS] if self.columns.birth is not None else []
        )
        if self.tracks:
            at = measured.arg_true()
            birth += [
                col(WHEN).alias(trends.WHEN),
                _scattered(found["mmol_l"], frame.height, at).alias(VALUE),
                _scattered(found["flag_code"], frame.height, at).alias(CODE),
                pl.when(col(PATIENT).is_not_null())
                .then(col(PATIENT).hash(_PATIENT_SEED))
                .alias(trends.PATIENT),
            ]
        self.kept.append(
            frame.select(
                key.alias(HASH),
                USABLE,
                ALONE,
                BAD_TIME,
                *birth,
                col(ANALYTE).cast(self.named),
                col(COVARIATE).cast(self.named),
            )
        )

    def _index_rows(self) -> None:
        """Each kept row's panel, from the hash of its key, where no two keys share one."""
        assert self.keys is not None
        kept, self.kept = self.kept, []
        keys = self.keys.select(pl.struct(KEYS).hash(_SEED).alias(HASH), PANEL)
        if not kept or not _distinct(keys[HASH]):
            return  # two keys share a hash: the second pass reads the keys again
        keys = keys.sort(HASH)
        hashes, numbers = keys[HASH], keys[PANEL].cast(pl.UInt32)
        last = hashes.len() - 1
        for i, block in enumerate(kept):
            # Each row's hash found among the keys' sorted hashes, block by block.
            mine = block[HASH]
            if hashes.is_empty():  # no panels: every row alone
                kept[i] = block.drop(HASH).with_columns(pl.lit(None, pl.UInt32).alias(PANEL))
                continue
            at = hashes.search_sorted(mine.fill_null(0)).clip(0, last)
            panel = pl.select(pl.when(mine.is_not_null()).then(numbers.gather(at))).to_series()
            found = pl.select((hashes.gather(at) == mine) | mine.is_null()).to_series()
            assert found.all(), "a row's key is not among the panels' keys"
            kept[i] = block.drop(HASH).with_columns(panel.alias(PANEL))
        self.rows = pl.concat(kept, rechunk=False)
        self.keys = None

    def _aggregates(self, raw: bool) -> list[pl.Expr]:
        """How rows (``raw``) or partial tables are folded into one row per key."""
        col = pl.col
        found: list[pl.Expr] = []
        if raw:
            found += [col(WHEN).min().alias("t_min"), pl.len().cast(pl.Int64).alias("rows")]
            for a in self.analytes:
                of = col("a") == a
                found += [
                    of.sum().cast(pl.Int32).alias(f"n_{a}"),
                    col("flag_code").filter(of).min().alias(f"lo_{a}"),
                    col("flag_code").filter(of).max().alias(f"hi_{a}"),
                ]
            for c in self.corrections:
                of = col("a") == c.corrects
                found += [
                    col(x).filter(of).first().alias(f"{c.key}_{x}")
                    for x in ("number", "spelling", "flag", "censored", AGE, SEX, SYMPTOMATIC)
                ]
            for v in self.covariates:
                of = col("v") == v
                found += [
                    of.sum().cast(pl.Int32).alias(f"nv_{v}"),
                    col("cov_text").filter(of).first().alias(f"text_{v}"),
                    col("cov_unit").filter(of).first().alias(f"unit_{v}"),
                ]
            return found + self.interpreter.signs.panel_aggregates()
        found += [col("t_min").min(), col("rows").sum()]
        for a in self.analytes:
            found += [col(f"n_{a}").sum(), col(f"lo_{a}").min(), col(f"hi_{a}").max()]
        for c in self.corrections:
            has = col(f"n_{c.corrects}") > 0
            found += [
                col(f"{c.key}_{x}").filter(has).first()
                for x in ("number", "spelling", "flag", "censored", AGE, SEX, SYMPTOMATIC)
            ]
        for v in self.covariates:
            has = col(f"nv_{v}") > 0
            found += [
                col(f"nv_{v}").sum(),
                col(f"text_{v}").filter(has).first(),
                col(f"unit_{v}").filter(has).first(),
            ]
        return found + self.interpreter.signs.panel_aggregates()

    def _fold(self, partials: list[pl.DataFrame]) -> pl.DataFrame:
        if len(partials) == 1:
            return partials[0]
        return pl.concat(partials).group_by(KEYS).agg(self._aggregates(raw=False))

    def _finish(self, raw: pl.DataFrame) -> None:
        """Panels from the rows folded by key: clustered in time, numbered, corrected and
        matched against the patterns."""
        col = pl.col
        raw = raw.with_columns(col(pl.Categorical).cast(pl.String))
        if self.columns.specimen is not None and self.columns.patient is not None:
            shared = (
                raw.filter(col(SPECIMEN).is_not_null())
                .group_by(SPECIMEN)
                .agg(col(PATIENT).n_unique().alias("owners"))
                .filter(col("owners") > 1)
            )
            self.summary.shared_specimens += shared.height
            if shared.height:
                self.shared = shared.select(SPECIMEN, col("owners").alias("k_owners"))
        order = [PATIENT, "t_min", SPECIMEN]
        if self.columns.window <= 0:  # a key is a panel
            panels = raw.sort(order, nulls_last=True).with_row_index(PANEL, offset=1)
            panels = panels.with_columns(col(PANEL).cast(pl.Int64))
            del raw
            self.keys = panels.select(*KEYS, PANEL)
        else:
            raw = raw.with_columns(self._clusters(raw).alias("k_cluster"))
            panel_keys = [PATIENT, SPECIMEN, "k_cluster"]
            panels = (
                raw.group_by(panel_keys)
                .agg(self._aggregates(raw=False))
                .sort(order, nulls_last=True)
                .with_row_index(PANEL, offset=1)
                .with_columns(col(PANEL).cast(pl.Int64))
            )
            self.keys = (
                raw.select(*KEYS, "k_cluster")
                .join(
                    panels.select(*panel_keys, PANEL), on=panel_keys, how="left", nulls_equal=True
                )
                .select(*KEYS, PANEL)
            )
        self.summary.panels += panels.height
        self.summary.rows_in_panels += int(panels["rows"].sum() or 0)
        codes: list[pl.Series] = []
        for a in self.analytes:
            codes += [panels[f"lo_{a}"], panels[f"hi_{a}"]]
        table = panels.select(PANEL, "t_min")
        for c in self.corrections:
            corrected = self._corrections_of(panels, c)
            codes.append(corrected["flag_code"])
            table = table.with_columns(
                corrected["will"].alias(f"will_{c.key}"),
                corrected["flag_code"].is_not_null().alias(f"has_{c.key}"),
                *(s for s in corrected.iter_columns() if s.name.startswith("cr_")),
            )
        for v in self.covariates:
            usable, problems = self._covariate_cells(panels, v)
            table = table.with_columns(
                panels[f"nv_{v}"],
                pl.when(usable).then(panels[f"text_{v}"]).alias(f"text_{v}"),
                pl.when(usable).then(panels[f"unit_{v}"]).alias(f"unit_{v}"),
                problems.alias(f"problem_{v}"),
            )
        table = table.hstack(panels.select([f"n_{a}" for a in self.analytes]))
        table = table.hstack(panels.select(pl.col("^sg_.*$")))  # signs of a test of the panel
        table = table.with_columns(self.finder.bits(codes).alias("bits"))
        for bits, count in table["bits"].drop_nulls().value_counts().iter_rows():
            for n, pattern in enumerate(self.reference.patterns):  # panels of each pattern
                if bits >> n & 1:
                    self.summary.patterns[pattern.id] += count
        if self.shared is not None:
            owners = panels.select(SPECIMEN).join(
                self.shared, on=SPECIMEN, how="left", maintain_order="left"
            )
            table = table.with_columns(
                owners[SPECIMEN].alias(SHARED), owners["k_owners"].alias("k_owners")
            )
        self.table = table

    def _clusters(self, raw: pl.DataFrame) -> pl.Series:
        """Each key's time cluster: its own time, or within ``--panel-window``, the time of
        the first of a patient's rows (without a specimen number) that its panel starts at."""
        window = self.columns.window
        if window <= 0:
            return raw[TIME]
        timed = (
            raw.select(PATIENT, TIME)
            .filter(pl.col(TIME).is_not_null())
            .unique()
            .sort(PATIENT, TIME)
        )
        starts: list[datetime] = []
        last_patient: object = object()
        start = datetime.min
        span = timedelta(seconds=window)
        for patient, when in timed.iter_rows():
            if patient != last_patient or when - start > span:
                start, last_patient = when, patient
            starts.append(start)
        table = timed.with_columns(pl.Series("k_start", starts, dtype=pl.Datetime("ms")))
        joined = raw.select(PATIENT, TIME).join(
            table, on=[PATIENT, TIME], how="left", nulls_equal=True, maintain_order="left"
        )
        return joined["k_start"]

    def _covariate_cells(self, panels: pl.DataFrame, v: str) -> tuple[pl.Series, pl.Series]:
        """Whether each panel's one cell of covariate ``v`` can be used, and why not."""
        reader = self.readers[v]
        text, unit = f"text_{v}", f"unit_{v}"
        pairs = panels.select(text, unit)
        table = []
        for t, u in pairs.unique().iter_rows():
            if t is not None:
                answer = reader.read(t, u)
                table.append((t, u, answer if isinstance(answer, str) else None))
        schema = {text: pl.String, unit: pl.String, "problem": pl.String}
        joined = pairs.join(
            pl.DataFrame(table, schema=schema, orient="row"),
            on=[text, unit],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        single = panels[f"nv_{v}"] == 1
        found = pl.DataFrame([single.alias("one"), joined[text], joined["problem"]]).select(
            (pl.col("one") & pl.col(text).is_not_null() & pl.col("problem").is_null()).alias("ok"),
            pl.when(pl.col("one")).then(pl.col("problem")).alias("problem"),
        )
        return found["ok"], found["problem"]

    def _corrections_of(self, panels: pl.DataFrame, c: Correction) -> pl.DataFrame:
        """Whether each panel's one result of the analyte ``c`` corrects will be corrected
        (``will``), and the corrected result's flag code."""
        usable, _ = self._covariate_cells(panels, c.covariate)
        will = (panels[f"n_{c.corrects}"] == 1) & usable
        rows = self._corrector_rows(
            c,
            panels[f"{c.key}_number"],
            panels[f"{c.key}_spelling"],
            panels[f"{c.key}_flag"],
            panels[f"{c.key}_censored"],
            panels[f"text_{c.covariate}"],
            panels[f"unit_{c.covariate}"],
            panels[f"{c.key}_{AGE}"],
            panels[f"{c.key}_{SEX}"],
            panels[f"{c.key}_{SYMPTOMATIC}"],
        )
        found = self.correctors[c.key].results(rows.filter(will))
        code = constant("flag_code", None, panels.height, pl.Int8)
        if found.height:
            code = code.scatter(will.arg_true(), found["flag_code"].cast(pl.Int8))
        # The corrected result itself, for the second pass (not in JSON Lines: its texts).
        kept = [
            constant(f"cr_{c.key}_{f}", None, panels.height, found.schema[f]).scatter(
                will.arg_true(), found[f]
            )
            for f in (_CORRECTED if self.keeps_corrected else ())
        ]
        return pl.DataFrame([will.alias("will"), code, *kept])

    def _corrector_rows(
        self,
        c: Correction,
        number: pl.Series,
        spelling: pl.Series,
        flag: pl.Series,
        censored: pl.Series,
        cov_text: pl.Series,
        cov_unit: pl.Series,
        age: pl.Series,
        sex: pl.Series,
        symptomatic: pl.Series,
    ) -> pl.DataFrame:
        """The inputs of a :class:`Corrector`, as the wide layout's engine gives them."""
        segment, canon_sex = canonical_columns(self.reference, c.corrects, pl.col(AGE), pl.col(SEX))
        patient = pl.DataFrame([age.alias(AGE), sex.alias(SEX)]).select(segment, canon_sex)
        if not symptoms_matter(self.reference, c.corrects):
            symptomatic = constant("", False, len(number), pl.Boolean)
        shown = pl.DataFrame([number.alias("n"), spelling.alias("s")]).select(
            pl.concat_str(pl.col("n").cast(pl.String), pl.lit(" "), pl.col("s"))
        )
        return pl.DataFrame(
            [
                number.alias("in_number"),
                spelling.alias("in_spelling"),
                flag.alias("in_flag"),
                censored.alias("in_censored"),
                shown.to_series().alias("text"),
                cov_text.alias("cov_text"),
                cov_unit.alias("cov_unit"),
                patient[AGE],
                patient[SEX],
                symptomatic.fill_null(False).alias(SYMPTOMATIC),
            ]
        )

    # ----------------------------------------------------------------------- second pass

    def before(self, batch: pl.DataFrame) -> pl.DataFrame:
        """A batch with its rows' keys and panels, and whether each row's value will be
        corrected (for its grade), ready for the engine."""
        assert self.table is not None
        col = pl.col
        row = (pl.int_range(pl.len(), dtype=pl.Int64) + self.rows_seen + 1).alias(ROW)
        if self.rows is not None:
            # What the first pass learnt of these rows, and their panels by number.
            kept = self.rows.slice(self.rows_seen, batch.height)
            assert kept.height == batch.height, "the second reading differs from the first"
            at = kept[PANEL] - 1
            found = self.table.select(pl.exclude(PANEL).gather(at))
            frame = pl.concat(
                [
                    batch,
                    kept.with_columns(
                        col(ANALYTE, COVARIATE).cast(pl.String), col(PANEL).cast(pl.Int64)
                    ),
                    found,
                ],
                how="horizontal",
            ).with_columns(row)
        else:
            assert self.keys is not None
            frame = self.with_keys(batch).with_columns(row)
            # The batch's few distinct keys are looked up in the large tables (an inner join
            # hashes the smaller side), then joined to its rows.
            distinct = frame.select(KEYS).unique()
            found = distinct.join(self.keys, on=KEYS, how="inner", nulls_equal=True)
            found = found.join(self.table, on=PANEL, how="inner")
            frame = frame.join(found, on=KEYS, how="left", nulls_equal=True, maintain_order="left")
        self.rows_seen += batch.height
        # The panel's columns, dropped again once the panel's columns are filled in: the same
        # for every batch (read by :meth:`after` while the next batch is being prepared).
        self.internal = [
            name
            for name in frame.columns
            if name not in batch.columns and name not in (SPECIMEN_KIND, AGE, SEX, SYMPTOMATIC)
        ] + [PANEL_COVARIATE]
        graded = [c for c in self.corrections if c.graded]
        will = pl.any_horizontal(
            [(col(ANALYTE) == c.corrects) & col(f"will_{c.key}").fill_null(False) for c in graded]
            or [pl.lit(False)]
        )
        return frame.with_columns(will.alias(PANEL_COVARIATE))

    def after(self, result: pl.DataFrame) -> pl.DataFrame:
        """A processed batch with its panels' columns, and each corrected result as a row of
        its own right after the result it corrects."""
        if self.whole is not None:  # a part's first pass counted apart: added to the whole
            self.whole.add(self.summary)
            self.summary, self.whole = self.whole, None
        col = pl.col
        r = self.r
        analyte, flag = col(r["analyte"]), col(r["flag"])
        code = flag.replace_strict(FLAG_CODES, default=None, return_dtype=pl.Int8)
        added_rows = []
        notes: list[_Note] = self._key_notes()
        for c in self.corrections:
            measured = (analyte == c.corrects) & flag.is_not_null()
            wanted = result.select(measured & col(f"will_{c.key}").fill_null(False)).to_series()
            notes += self._correction_notes(c, measured)
            if not wanted.any():
                continue
            internal = set(self.internal)
            needed = {ROW, PANEL, "t_min", "bits", USABLE, ANALYTE}
            needed |= {f"cr_{k.key}_{f}" for k in self.corrections for f in _CORRECTED}
            needed |= {f"has_{k.key}" for k in self.corrections}
            needed |= {f"{x}_{k.covariate}" for k in self.corrections for x in ("text", "unit")}
            # Not an earlier correction's problems: its added rows do not have them.
            carried = [
                n
                for n in result.columns
                if (n not in internal or n in needed) and not n.startswith("k_problem_")
            ]
            rows = result.select(carried).filter(wanted)
            corrected = self._corrected(c, rows)
            made = corrected["flag"].is_not_null()
            if (~made).any():
                problem = constant("p", None, result.height, pl.String).scatter(
                    wanted.arg_true(), corrected["error"]
                )
                result = result.with_columns(problem.alias(f"k_problem_{c.key}"))
                notes.append((col(f"k_problem_{c.key}").is_not_null(), col(f"k_problem_{c.key}")))
            if made.any():
                added_rows.append(self._added(c, rows.filter(made), corrected.filter(made)))
        for a in self.analytes:
            notes.append(
                (
                    (analyte == a) & flag.is_not_null() & (col(f"n_{a}") > 1),
                    pl.format(
                        "{} {} results in this panel: each interpreted on its own",
                        col(f"n_{a}"),
                        pl.lit(a),
                    ),
                )
            )
        result = result.with_columns(
            pl.lit("input").alias(r["row_kind"]),
            (col(ROW) + self.first_row).alias(r["source_row"]),
            (col(PANEL) + self.first_panel).alias(r["panel"]),
            col("t_min").dt.to_string("%Y-%m-%dT%H:%M:%S").alias(r["panel_time"]),
            _noted(result, notes, "; ").alias(r["panel_notes"]),
        )
        if self.tracks:
            result = trends.with_changes(result, r, self.changes, ROW, BAD_TIME)
        result = self._with_patterns(result, analyte, code, pl.lit(False))
        if self.reference.specimen_patterns:  # a sign of its specimen: haemolysed ...
            result = self.interpreter.signs.long(result, r["analyte"], r["flag"], r["patterns"])
            self.summary.patterns.update(sign_counts(self.reference, result[r["patterns"]]))
        self._count(result)
        # What no writer reads: the panel's columns, the engine's patient columns and the
        # measured values (read above).
        unread = {AGE, SEX, SYMPTOMATIC, PATIENT_ERROR, SPECIMEN_KIND, MEASURED_NUMBER}
        unread |= {MEASURED_UNIT, *self.internal}
        dropped = [n for n in result.columns if n in unread or n.startswith("k_problem_")]
        if not added_rows:
            return result.drop(dropped)
        result = result.drop([n for n in dropped if n != ROW])
        added = pl.concat(added_rows, how="vertical_relaxed")
        added = trends.blank(added, result, r) if self.tracks else added
        added = self._with_patterns(
            added,
            added[r["analyte"]].replace_strict(
                {c.key: c.corrects for c in self.corrections}, default=None, return_dtype=pl.String
            ),
            col(r["flag"]).replace_strict(FLAG_CODES, default=None, return_dtype=pl.Int8),
            pl.lit(True),
        )
        self.summary.added += added.height
        ordered = pl.concat(
            [
                result.with_columns((col(ROW) * 2).alias(ORDER)),
                added.select(result.columns).with_columns((col(ROW) * 2 + 1).alias(ORDER)),
            ],
            how="vertical_relaxed",
        )
        return ordered.sort(ORDER, maintain_order=True).drop(ORDER, ROW)

    def _key_notes(self) -> list[_Note]:
        """Notes on a row's key: why it is alone, a time or date of birth not read, a
        specimen number two patients share."""
        col = pl.col
        c, header = self.columns, self.layout.header
        found: list[_Note] = [
            (col(ALONE) == NO_PATIENT, pl.lit("no patient id: interpreted alone, not in a panel")),
            (
                col(ALONE) == NO_SPECIMEN,
                pl.lit("no specimen number: interpreted alone, not in a panel"),
            ),
        ]
        if c.time is not None:
            time = plain(header[c.time])
            shown = col(f"c{c.time}").str.strip_chars()
            if c.clock is not None:
                shown = pl.concat_str(shown, pl.lit(" "), col(f"c{c.clock}").str.strip_chars())
            alone = (
                pl.when(col(ALONE) == NO_TIME)
                .then(pl.lit(": interpreted alone, not in a panel"))
                .otherwise(pl.lit(""))
            )
            found += [
                (
                    col(BAD_TIME),
                    pl.concat_str(
                        pl.lit(f"{time}: collection time '"),
                        shown,
                        pl.lit(
                            "' could not be read (expected 2026-03-01T08:00, 03/01/2026 8:00 AM)"
                        ),
                        alone,
                    ),
                ),
                (
                    (col(ALONE) == NO_TIME) & ~col(BAD_TIME),
                    pl.lit("no collection time: interpreted alone, not in a panel"),
                ),
            ]
        if c.birth is not None:
            birth = col(f"c{c.birth}").str.strip_chars()
            name = plain(header[c.birth])
            found += [
                (
                    col(BIRTH) == BIRTH_UNREADABLE,
                    pl.concat_str(
                        pl.lit(f"{name}: date of birth '"),
                        birth,
                        pl.lit("' could not be read: age not known from it"),
                    ),
                ),
                (
                    col(BIRTH) == BIRTH_AFTER,
                    pl.concat_str(
                        pl.lit(f"{name}: date of birth "),
                        birth,
                        pl.lit(" is after the collection time: age not known from it"),
                    ),
                ),
                (
                    col(BIRTH) == BIRTH_NO_TIME,
                    pl.lit("no collection time to compute the age at from the date of birth"),
                ),
            ]
        if self.shared is not None:
            found.append(
                (
                    col("k_owners").is_not_null(),
                    pl.format(
                        "specimen {} belongs to {} patients: its panel is split by patient",
                        col(SHARED),
                        col("k_owners"),
                    ),
                )
            )
        return found

    def _correction_notes(self, c: Correction, measured: pl.Expr) -> list[_Note]:
        """Why a panel's result was not corrected: two results to correct, two covariates, or
        a covariate that cannot be used (said on the rows of both)."""
        col = pl.col
        v, label = c.covariate, c.label.lower()
        several = col(f"n_{c.corrects}") > 1
        covariates = col(f"nv_{v}")
        is_cov = (col(COVARIATE) == v) & col(PANEL).is_not_null()
        problem = col(f"problem_{v}")
        return [
            (
                measured & several & (covariates > 0),
                pl.format(
                    "no {}: {} {} results in this panel, and which to correct is not chosen",
                    pl.lit(label),
                    col(f"n_{c.corrects}"),
                    pl.lit(c.corrects),
                ),
            ),
            (
                (measured | is_cov) & (covariates > 1),
                pl.format(
                    "no {}: {} {} results in this panel, and which to use is not chosen",
                    pl.lit(label),
                    covariates,
                    pl.lit(v),
                ),
            ),
            (is_cov & problem.is_not_null(), pl.concat_str(problem, pl.lit(f": no {label}"))),
            (
                measured & problem.is_not_null(),
                pl.lit(f"no {label}: this panel's {v} cannot be used"),
            ),
        ]

    def _corrected(self, c: Correction, rows: pl.DataFrame) -> pl.DataFrame:
        """The corrected result (the engine's fields) of each row of ``rows``: the panel
        table's, where each row is the one result its panel corrects."""
        r = self.r
        if USABLE in rows.columns and f"cr_{c.key}_flag" in rows.columns:
            own = rows.select((pl.col(USABLE) & (pl.col(ANALYTE) == c.corrects)).all()).item()
            if own:
                return rows.select(pl.col(f"cr_{c.key}_{f}").alias(f) for f in _CORRECTED)
        found = self._corrector_rows(
            c,
            rows[MEASURED_NUMBER],
            rows[MEASURED_UNIT],
            rows[r["flag"]],
            rows[r["censored"]],
            rows[f"text_{c.covariate}"],
            rows[f"unit_{c.covariate}"],
            self.interpreter.patient_column(rows, AGE, pl.Int32),
            self.interpreter.patient_column(rows, SEX, pl.String),
            self.interpreter.patient_column(rows, SYMPTOMATIC, pl.Boolean),
        )
        return self.correctors[c.key].results(found)

    def _added(self, c: Correction, rows: pl.DataFrame, corrected: pl.DataFrame) -> pl.DataFrame:
        """Rows of corrected results: the input's key columns, the corrected result's fields."""
        r = self.r
        long = self.layout.long
        assert long is not None
        kept = set(self.columns.indexes())
        for index in (
            self.layout.specimen,
            self.layout.patient.age,
            self.layout.patient.sex,
            self.layout.patient.symptomatic,
        ):
            if index is not None:
                kept.add(index)
        blank = [
            pl.lit(None, pl.String).alias(name)
            for i, name in enumerate(internal_names(len(self.layout.header)))
            if i not in kept
        ]
        values: dict[str, pl.Expr | pl.Series] = {
            r["analyte"]: pl.lit(c.key),
            r["value_mmol_l"]: corrected["mmol_l"],
            r["flag"]: corrected["flag"],
            r["grade"]: corrected["grade"],
            r["spasm_risk"]: corrected["risk"],
            r["censored"]: pl.lit(None, pl.String),
            r["limits"]: corrected["limits"],
            r["row_kind"]: pl.lit("added"),
            r["source_row"]: pl.col(ROW) + self.first_row,
            r["panel"]: pl.col(PANEL) + self.first_panel,
            r["panel_time"]: pl.col("t_min").dt.to_string("%Y-%m-%dT%H:%M:%S"),
            r["errors"]: pl.lit(None, pl.String),
        }
        if "lab_flag" in r:
            values[r["lab_flag"]] = pl.lit(None, pl.String)
        out = rows.with_columns(*blank, *(v.alias(k) for k, v in values.items()))
        errors = error_columns(self.layout)
        out = out.with_columns(pl.lit(None, out.schema[e]).alias(e) for e in errors)
        out = out.with_columns(pl.lit(None, pl.Int8).alias("f0"))
        if "d0" in out.columns:  # the full result, as JSON text
            out = out.with_columns(corrected["json"].alias("d0"))
        return out.with_columns(pl.lit(None, pl.String).alias(r["panel_notes"]))

    def _with_patterns(
        self, frame: pl.DataFrame, stands_for: pl.Series | pl.Expr, code: pl.Expr, added: pl.Expr
    ) -> pl.DataFrame:
        """The ids of the patterns of its panel each row's result takes part in: its analyte
        (a corrected result: the analyte it corrects) on the pattern's side, unless it is a
        measured result a corrected one stands in for; in a pattern judged on the values as
        measured, the measured results alone."""
        col = pl.col
        r = self.r
        sf = stands_for if isinstance(stands_for, pl.Expr) else pl.lit(stands_for)
        replaced = pl.lit(False)
        for c in self.corrections:
            replaced = replaced | ((sf == c.corrects) & col(f"has_{c.key}").fill_null(False))
        deciding = added | ~replaced
        # The patterns the result's analyte takes part in at its flag's levels: one look-up
        # (by analyte and flag code) in the table of :meth:`_sides_table`.
        analyte = sf.replace_strict(self.side_index, default=len(self.side_index))
        at = analyte.cast(pl.Int64) * _CODES + code.fill_null(0).cast(pl.Int64)
        side = pl.lit(self.side_table).gather(at)
        mine = pl.when(deciding).then(side).otherwise(0)
        if self.on_measured:
            measured = pl.lit(self.on_measured, pl.Int64)
            mine = (mine & ~measured) | pl.when(added).then(0).otherwise(side & measured)
        bits = frame.select((col("bits").fill_null(0) & mine).alias("b")).to_series()
        ids = self.finder.named(bits)
        notes = bits.replace_strict(self._notes_of(bits), return_dtype=pl.String)
        return frame.with_columns(ids.alias(r["patterns"]), notes.alias(PATTERN_NOTES))

    def _sides_table(self) -> tuple[dict[str, int], pl.Series]:
        """The patterns a result takes part in (as bits), by its analyte's number and its
        flag's code: at ``number * _CODES + code`` (the last analyte's number: any other)."""
        names = sorted({a for by_analyte in self.sides.values() for a in by_analyte})
        index = {a: n for n, a in enumerate(names)}
        codes = pl.Series("code", range(_CODES), dtype=pl.Int8)
        table = [0] * (_CODES * (len(names) + 1))
        for level, by_analyte in self.sides.items():
            met = pl.select(meets(pl.lit(codes), level).fill_null(False)).to_series().to_list()
            for a, mask in by_analyte.items():
                for code, yes in enumerate(met):
                    if yes and code:  # code 0: no flag
                        table[index[a] * _CODES + code] |= mask
        return index, pl.Series("sides", table, dtype=pl.Int64)

    def _notes_of(self, bits: pl.Series) -> dict[int, str | None]:
        for value in bits.unique().to_list():
            if value not in self.pattern_notes:
                notes = [p.note for n, p in enumerate(self.reference.patterns) if value >> n & 1]
                self.pattern_notes[value] = NOTES_SEP.join(notes) or None
        return self.pattern_notes

    def _count(self, result: pl.DataFrame) -> None:
        """Count the rows alone and the rows with notes of each kind."""
        s = self.summary
        for code, count in result[ALONE].value_counts().iter_rows():
            if code != IN_PANEL:
                s.alone[ALONE_REASONS[code - 1]] += count
        s.notes["unreadable_time"] += int(result[BAD_TIME].sum())
        if BIRTH in result.columns:
            counts = dict(result[BIRTH].value_counts().iter_rows())
            s.notes["unreadable_birth_date"] += counts.get(BIRTH_UNREADABLE, 0)
            s.notes["birth_after_collection"] += counts.get(BIRTH_AFTER, 0)
        flag = pl.col(self.r["flag"])
        several = pl.any_horizontal(
            (pl.col(self.r["analyte"]) == a) & (pl.col(f"n_{a}") > 1) for a in self.analytes
        )
        s.notes["repeated_analyte"] += int(
            result.select((several & flag.is_not_null()).sum()).item()
        )
        if self.shared is not None:
            s.notes["shared_specimen"] += int(result["k_owners"].is_not_null().sum())


def _noted(frame: pl.DataFrame, notes: list[_Note], separator: str) -> pl.Series:
    """The notes each row of ``frame`` has, joined by ``separator`` (null where none): each
    note a condition and its text. The texts are made for the rows some note is on only."""
    if not notes:
        return constant("", None, frame.height, pl.String)
    on = frame.select(pl.any_horizontal(when.fill_null(False) for when, _ in notes)).to_series()
    texts = (
        frame.filter(on)
        .select(
            pl.concat_str(
                [pl.when(when).then(text) for when, text in notes],
                separator=separator,
                ignore_nulls=True,
            ).replace("", None)
        )
        .to_series()
    )
    return constant("", None, frame.height, pl.String).scatter(on.arg_true(), texts)


def _scattered(values: pl.Series, height: int, at: pl.Series) -> pl.Series:
    """``values`` at the rows ``at`` of ``height`` rows, the others null."""
    return pl.repeat(None, height, dtype=values.dtype, eager=True).scatter(at, values)


def _same(one: pl.DataFrame, other: pl.DataFrame, names: list[str]) -> bool:
    """Whether two frames hold the same texts in the columns ``names``."""
    same = pl.all_horizontal(pl.col(n).eq_missing(other[n]) for n in names).all()
    return bool(one.select(same).item())


def _distinct(hashes: pl.Series) -> bool:
    """Whether no two keys share a hash."""
    return bool(hashes.n_unique() == hashes.len())


def _empty(width: int) -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(internal_names(width), pl.String))


__all__ = ["Panels"]
