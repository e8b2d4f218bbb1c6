"""Overlapping reading, interpreting and writing of batches on two or more cores.

polars parses and writes CSV without holding Python's interpreter lock, so while the main
thread interprets one batch, a reader thread can parse the next and a writer thread can write
the last. A queue of one batch between two threads keeps memory flat: each side works on
one batch while the next waits, and a second waiting batch did not make a run faster, only
larger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Full, Queue
from typing import Generic, TypeVar

T = TypeVar("T")
_DEPTH = 1
_POLL = 0.1  # seconds between checks that the other side is still there


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """``items``, produced in a background thread a little ahead of their use. An exception
    in the producer is raised here, in the consumer."""
    queue: Queue[object] = Queue(maxsize=_DEPTH)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(queue, item, stop):
                    return
        except BaseException as error:  # handed to the consumer, which decides
            _put(queue, _Failure(error), stop)
        else:
            _put(queue, _END, stop)

    thread = threading.Thread(target=produce, name="electrocheck-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def _put(queue: Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            queue.put(item, timeout=_POLL)
            return True
        except Full:
            continue
    return False


class BackgroundWriter(Generic[T]):
    """Calls ``write(item)`` for each submitted item in a background thread, in order.
    :meth:`close` waits for the last write and raises the first error, if any."""

    def __init__(self, write: Callable[[T], None]) -> None:
        self.write = write
        self.queue: Queue[object] = Queue(maxsize=_DEPTH)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="electrocheck-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _END:
                return
            if self.error is None:
                try:
                    self.write(item)  # type: ignore[arg-type]
                except BaseException as error:  # raised in the main thread by close()
                    self.error = error

    def submit(self, item: T) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def close(self) -> None:
        self.queue.put(_END)
        self.thread.join()
        if self.error is not None:
            raise self.error


def started(work: Callable[[], None]) -> Callable[[], None]:
    """``work()`` begun in a background thread; the function returned waits for it to end
    and raises its exception, if any."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # raised in the caller, by the function returned
            failures.append(error)

    thread = threading.Thread(target=run, name="electrocheck-worker", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failures:
            raise failures[0]

    return wait


__all__ = ["BackgroundWriter", "prefetched", "started"]
