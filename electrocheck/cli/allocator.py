"""polars' memory allocator, set up for a command that streams a file through threads.

polars allocates through jemalloc, which by default gives the threads of a process four
arenas per core, and memory freed into one arena is not reused by another. A batch run hands
every block from thread to thread (read on one, interpreted on the main thread, written on a
third, polars' pool parsing and formatting), so each arena keeps a high-water mark of its
own. With one arena they share one, and the peak memory of a batch run falls by about a
fifth at the same speed (docs/performance.md). jemalloc reads its options once, when polars
is loaded; a setting of the user's own is kept.
"""

from __future__ import annotations

import os
import sys

#: The environment variable polars' jemalloc reads its options from (its symbols prefixed
#: ``_rjem_``), and the options set when the user has set none.
VARIABLE = "_RJEM_MALLOC_CONF"
OPTIONS = "narenas:1"


def share_one_arena() -> bool:
    """Set jemalloc's options for polars, unless polars is loaded already (too late) or the
    user set them: True when they were set here."""
    if "polars" in sys.modules or VARIABLE in os.environ:
        return False
    os.environ[VARIABLE] = OPTIONS
    return True
