"""A pandas DataFrame through :func:`~electrocheck.batch.run.interpret_frame`: to polars,
interpreted, and its result columns back beside the frame's own.

pandas is optional and never imported here: a pandas DataFrame exists only once its caller
imported pandas, so it is looked for in ``sys.modules``. polars converts (``from_pandas``,
``to_pandas``), with pyarrow for text columns; the ``pandas`` extra installs both.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any

import polars as pl

from electrocheck.errors import ElectrocheckError, InputError, quote

#: Installs what a pandas DataFrame needs.
PANDAS_EXTRA = "pip install 'electrocheck[pandas]'"


def pandas_of(frame: object) -> ModuleType | None:
    """The pandas module, when ``frame`` is a pandas DataFrame; None otherwise."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(frame, pandas.DataFrame):
        return pandas
    return None


def interpret_pandas(
    pandas: ModuleType, frame: Any, interpret: Callable[[pl.DataFrame], pl.DataFrame]
) -> Any:
    """``frame`` with the result columns that ``interpret`` adds to its polars copy.

    The frame's own columns come back as they were, with its index; a grade column is a
    nullable integer (``Int8``) whether or not a value went ungraded.
    """
    names = [str(name) for name in frame.columns]
    doubled = sorted(name for name, count in Counter(names).items() if count > 1)
    if doubled:
        raise InputError(
            f"the frame has more than one column called {', '.join(map(quote, doubled))}: "
            "rename them first"
        )
    plain = frame.set_axis(names, axis=1).reset_index(drop=True)
    try:
        checked = interpret(_to_polars(plain))
        added = checked.select(checked.columns[len(names) :])
        extra = added.to_pandas(types_mapper=_nullable_integers(pandas))
    except ImportError as exc:  # pyarrow, for text columns
        raise ElectrocheckError(
            f"a pandas DataFrame needs {exc.name or 'pyarrow'} to be read: {PANDAS_EXTRA}"
        ) from None
    extra.index = frame.index
    return pandas.concat([frame, extra], axis=1)


def _to_polars(frame: Any) -> pl.DataFrame:
    """The frame as polars; a column polars cannot take as it is (Python objects of mixed
    kinds, as spreadsheets give) as text, which is how every value is read anyway."""
    try:
        return pl.from_pandas(frame)
    except ImportError:
        raise
    except Exception:  # pyarrow's and polars' own errors, whichever
        pass
    text = frame.copy()
    for name in text.columns:
        if text[name].dtype == object:
            text[name] = text[name].astype("string")
    try:
        return pl.from_pandas(text)
    except ImportError:
        raise
    except Exception as exc:
        raise InputError(f"the pandas DataFrame cannot be read: {quote(str(exc))}") from None


def _nullable_integers(pandas: ModuleType) -> Callable[[object], object]:
    """pyarrow's integer types to pandas' nullable ones; every other type as pyarrow maps it."""
    nullable = {
        f"int{bits}": pandas.api.types.pandas_dtype(f"Int{bits}") for bits in (8, 16, 32, 64)
    }
    return lambda arrow_type: nullable.get(str(arrow_type))
