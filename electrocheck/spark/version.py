"""Which pyspark electrocheck runs on, and a clear message when another is installed."""

from __future__ import annotations

from types import ModuleType

from electrocheck.errors import ElectrocheckError

#: The pyspark major versions supported: 4 brought ``groupBy().applyInArrow`` and the Arrow
#: batches of ``mapInArrow`` that the engine reads; 5 is not out, and may change them.
SUPPORTED = (4,)
#: Installs a supported pyspark.
SPARK_EXTRA = "pip install 'electrocheck[spark]'"


class SparkVersionError(ElectrocheckError):
    """pyspark is missing, or its version is not one electrocheck supports."""


def require_pyspark() -> ModuleType:
    """The pyspark module, when its version is supported; else a :class:`SparkVersionError`."""
    try:
        import pyspark
    except ImportError:
        raise SparkVersionError(f"electrocheck on Spark needs pyspark 4: {SPARK_EXTRA}") from None
    check_version(pyspark.__version__)
    return pyspark


def check_version(version: str) -> None:
    """A :class:`SparkVersionError` unless ``version`` is one of :data:`SUPPORTED`."""
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) not in SUPPORTED:
        raise SparkVersionError(
            f"pyspark {version} is not supported: electrocheck on Spark needs pyspark 4.x "
            f"({SPARK_EXTRA})"
        )


__all__ = ["SPARK_EXTRA", "SUPPORTED", "SparkVersionError", "check_version", "require_pyspark"]
