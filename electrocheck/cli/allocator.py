"""polars' memory allocator, set up for a command that streams a file through threads.

polars allocates through jemalloc, which by default gives the threads of a process four
arenas per core, and memory freed into one arena is not reused by another. A batch run hands
every block from thread to thread (read on one, interpreted on the main thread, written on a
third, polars' pool parsing and formatting), so each arena keeps a high-water mark of its
own. With one arena they share one, and the peak memory of a batch run falls by a tenth to
a fifth at the same speed (docs/performance.md).

jemalloc reads its options once, when polars is loaded, from a variable that polars itself
writes on import (its own options, then any found there): a process started by one that
imported polars finds that process's options in it. The arena count is added to whatever
options are there, unless one is given already (the user's own choice).
"""

from __future__ import annotations

import os
import sys

#: The environment variable polars' jemalloc reads its options from (its symbols prefixed
#: ``_rjem_``), and the option added.
VARIABLE = "_RJEM_MALLOC_CONF"
OPTIONS = "narenas:1"


def share_one_arena() -> bool:
    """Ask polars' jemalloc for one arena, unless polars is loaded already (too late) or an
    arena count is set: True when it was asked here."""
    if "polars" in sys.modules:
        return False
    given = os.environ.get(VARIABLE, "")
    if "narenas:" in given:
        return False
    os.environ[VARIABLE] = f"{given},{OPTIONS}" if given else OPTIONS
    return True
