"""What each row names: the test of a long file's row, and any row's specimen.

A long file's test columns (name, then codes) and a specimen column hold few distinct texts.
Each distinct text is read once (by :mod:`~electrocheck.batch.specimens` and the reference
file's names):

* :class:`TestNames` reads the test columns of a long file's distinct rows (they are inputs of
  the distinct path, see :func:`~electrocheck.batch.sources.source_inputs`): the analyte a
  row names (the first test column that names one wins; none when any of them names another
  specimen), and what its test columns say (a code of :data:`TEST_CLASSES`);
* :class:`SpecimenKinds` adds :data:`~electrocheck.batch.sources.SPECIMEN_KIND` to a batch,
  the kind of each row's specimen (a code of :data:`SPECIMEN_KINDS`).
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.layout import analyte_key
from electrocheck.batch.sources import SPECIMEN_KIND
from electrocheck.batch.specimens import (
    BLOOD,
    OTHER,
    looks_like_electrolyte,
    names_other_specimen,
    specimen_kind,
    words,
)
from electrocheck.reference import Reference, SpecimenWords

#: What a row's test columns say, from least to most telling: the highest of its columns'
#: codes is the row's. Another specimen wins over an analyte's name: a row whose name is
#: "Potassium" and whose description is "Potassium, urine" is not read against serum limits.
#: A covariate's name (albumin, glucose) is a test the panels read to correct a result.
BLANK_TEST, OTHER_TEST_NAME, COVARIATE_NAME, LOOKALIKE_NAME = 0, 1, 2, 3
ANALYTE_NAME, OTHER_SPECIMEN_NAME = 4, 5
TEST_CLASSES = (
    BLANK_TEST,
    OTHER_TEST_NAME,
    COVARIATE_NAME,
    LOOKALIKE_NAME,
    ANALYTE_NAME,
    OTHER_SPECIMEN_NAME,
)
#: The kinds of a row's specimen: serum, plasma, whole blood or none given; another; unknown.
BLOOD_KIND, OTHER_KIND, UNKNOWN_KIND = 0, 1, 2
SPECIMEN_KINDS = {BLOOD: BLOOD_KIND, OTHER: OTHER_KIND}

#: Distinct texts remembered before the memory is cleared.
MEMORY = 100_000


class TestNames:
    """Reads the test columns of a long file's distinct rows, each distinct text once."""

    __test__ = False  # not a test, for pytest

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.known: dict[str | None, tuple[str | None, int]] = {}
        self.result_words = result_words(reference)

    def read(self, text: str | None) -> tuple[str | None, int]:
        """The analyte a test column's text names, and its code of :data:`TEST_CLASSES`."""
        found = self.known.get(text)
        if found is None:
            if len(self.known) > MEMORY:
                self.known = {}
            found = self.known[text] = self._read(text)
        return found

    def _read(self, text: str | None) -> tuple[str | None, int]:
        if text is None or not text.strip():
            return None, BLANK_TEST
        known = self.reference.specimen_words
        if names_other_specimen(text, known) and not self.result_words.isdisjoint(words(text)):
            return None, OTHER_SPECIMEN_NAME
        key = analyte_key(self.reference, text)
        if key is not None:
            return key, ANALYTE_NAME
        if self.reference.covariate_key(text) is not None:
            return None, COVARIATE_NAME
        lookalike = looks_like_electrolyte(text, self.reference.specimen_words)
        return None, LOOKALIKE_NAME if lookalike else OTHER_TEST_NAME

    def add(self, rows: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """Distinct ``rows`` with ``key_analyte`` and ``test_class``, read from their test
        ``columns``."""
        analytes: list[str | None] = []
        classes: list[int] = []
        for texts in rows.select(columns).iter_rows():
            answers = [self.read(text) for text in texts]
            kind = max(code for _, code in answers)
            named = next((key for key, _ in answers if key is not None), None)
            analytes.append(None if kind == OTHER_SPECIMEN_NAME else named)
            classes.append(kind)
        return rows.with_columns(
            pl.Series("key_analyte", analytes, dtype=pl.String),
            pl.Series("test_class", classes, dtype=pl.Int8),
        )


def result_words(reference: Reference) -> frozenset[str]:
    """The words by which a test name names a result electrocheck reads (an electrolyte or a
    covariate): the file's electrolyte words and symbols, and the words of its analytes' and
    covariates' names that say neither a specimen nor a qualifier. A test name that names
    another specimen is another specimen's result only with one of them ("Potassium, urine");
    without ("Erythrocytes [#/volume] in Blood", "RBC count") it is another test."""
    known = reference.specimen_words
    names = [name for a in reference.analytes.values() for name in (a.label, *a.aliases)]
    names += [name for c in reference.covariates.values() for name in (c.label, *c.aliases)]
    named = {w for name in names for w in words(name)}
    plain = named - known.blood - known.qualifiers - known.other
    return frozenset(known.electrolyte_words | known.electrolyte_symbols | plain)


class SpecimenKinds:
    """Reads the specimen column of a file's batches, by the ``known`` words of the
    reference file."""

    def __init__(self, column: int, known: SpecimenWords) -> None:
        self.column = f"c{column}"
        self.known = known

    def add(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with :data:`SPECIMEN_KIND` (a blank or missing cell: blood)."""
        mapping = {
            text: SPECIMEN_KINDS.get(specimen_kind(text, self.known), UNKNOWN_KIND)
            for text in frame[self.column].unique().drop_nulls().to_list()
        }
        kind = pl.col(self.column).replace_strict(mapping, default=BLOOD_KIND, return_dtype=pl.Int8)
        return frame.with_columns(kind.alias(SPECIMEN_KIND))


__all__ = [
    "ANALYTE_NAME",
    "BLANK_TEST",
    "BLOOD_KIND",
    "COVARIATE_NAME",
    "LOOKALIKE_NAME",
    "OTHER_KIND",
    "OTHER_SPECIMEN_NAME",
    "OTHER_TEST_NAME",
    "SPECIMEN_KINDS",
    "TEST_CLASSES",
    "UNKNOWN_KIND",
    "SpecimenKinds",
    "TestNames",
]
