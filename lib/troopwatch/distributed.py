"""Extraction on a Dask cluster: the same per-article function, run beyond one machine.

    troopwatch claims corpus/ --engine dask                              # a local cluster
    troopwatch claims corpus/ --engine dask --scheduler tcp://HOST:8786  # a running cluster

A cluster is started with ``dask scheduler`` on one machine and ``dask worker
tcp://HOST:8786`` on each of the others; every worker needs troopwatch installed
(the same version: the results are keyed by it).  Rows are sent in partitions,
results come back in corpus order, so the tables are the same, byte for byte, as
a local run's.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

__all__ = ["run_on_dask", "partitions", "DaskRunner"]


def partitions(n: int, workers: int, *, per_worker: int = 4, largest: int = 256) -> list[tuple[int, int]]:
    """[start, stop) ranges covering ``n`` rows: a few per worker, none larger than ``largest``."""
    if n <= 0:
        return []
    size = max(1, min(largest, -(-n // max(1, workers * per_worker))))
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def _apply(fn: Callable[[Any], Any], rows: Sequence[Any]) -> list[Any]:
    return [fn(row) for row in rows]


def run_on_dask(fn: Callable[[Any], Any], rows: Sequence[Any], scheduler: str | None = None,
                progress: Callable[[int], None] | None = None) -> list[Any]:
    """``[fn(row) for row in rows]`` computed on a Dask cluster, in the order of ``rows``.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); None
    starts a local cluster of worker processes for this call.  ``progress`` is
    called with the number of rows done after each partition.
    """
    rows = list(rows)
    if not rows:
        return []
    runner = DaskRunner(scheduler, workers=len(rows))
    try:
        return runner.map(fn, rows, progress)
    finally:
        runner.close()


class DaskRunner:
    """A connection to a Dask cluster (or a local one it starts), kept for several ``map`` calls."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise ValueError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from exc
        self.cluster = None
        if scheduler is None:
            import os

            cores = os.cpu_count() or 1
            self.cluster = LocalCluster(n_workers=max(1, min(workers or cores, cores)), threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(scheduler)

    def map(self, fn: Callable[[Any], Any], rows: Sequence[Any],
            progress: Callable[[int], None] | None = None) -> list[Any]:
        """``[fn(row) for row in rows]``, sent in partitions, returned in the order of ``rows``."""
        from dask.distributed import as_completed

        rows = list(rows)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        futures = {}
        for start, stop in partitions(len(rows), workers):
            future = self.client.submit(_apply, fn, rows[start:stop], pure=False)
            futures[future] = (start, stop)
        out: list[Any] = [None] * len(rows)
        done = 0
        for future in as_completed(list(futures)):
            start, stop = futures.pop(future)
            out[start:stop] = future.result()
            future.release()
            done += stop - start
            if progress:
                progress(done)
        return out

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
