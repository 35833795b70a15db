"""One build's connection to a Dask cluster (`[media] executor = "dask"`).

`distributed` is imported only here, and only when a build asks for Dask
(`pip install 'reelpress[dask]'`), so the default install stays light. A DaskSession
connects on first use, refuses workers whose ffmpeg / Pillow differ from the ones the
cache names were computed with (asking each worker once, when first seen), keeps one
batch per free encode slot on the cluster and the rest in a queue here (so a day of
footage is not all in memory, and a worker that joins mid-build takes the next batch),
and yields results as they complete. It
never hangs: an unreachable scheduler, a cluster without usable workers, or a lost
connection is an ExecutorError within `connect_timeout` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import queue
import secrets
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.media.executors import (
    ENV_SCHEDULER,
    ExecutorChoice,
    ExecutorSettings,
    choose_executor,
)
from reelpress.media.photo.model import ImagePlan, ImageRunResult
from reelpress.media.remote import (
    BatchResult,
    SourcePayload,
    TransferError,
    WorkerVersions,
    worker_versions,
)

TICK_SECONDS = 0.5  # how often a build waiting on the cluster looks for workers come or gone
DASK_EXTRA_HINT = "pip install 'reelpress[dask]' (it brings distributed)"
Item = TypeVar("Item")


class ExecutorError(RuntimeError):
    """The cluster cannot run this build's jobs; carries the one diagnostic to show."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _import_distributed(origin: str = "site.toml") -> Any:
    try:
        import distributed
    except ImportError:
        raise ExecutorError(error(origin, None,
                                  "running media jobs on Dask needs the 'dask' extra of "
                                  "reelpress, which is not installed", DASK_EXTRA_HINT)) from None
    return distributed


def _probe_scheduler(distributed: Any, address: str, timeout: float) -> str:
    """Why no Dask scheduler answers at `address` within `timeout` ("" when one does).
    Asked before a Client is made: a Client pointed at something else (the dashboard's
    port, a web server) fails with a MemoryError or hangs, and its clean-up at exit
    prints a traceback twice the timeout later."""
    async def identity() -> Any:
        comm = await distributed.comm.connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identity(), timeout))
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except (OSError, ValueError, TypeError) as exc:
        return str(exc) or type(exc).__name__
    except Exception:  # noqa: BLE001 - what a Dask comm makes of another protocol's bytes
        return "what answers there is not a Dask scheduler (is it the dashboard's port?)"
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        return "what answers there is not a Dask scheduler (is it the dashboard's port?)"
    return ""


def _ready(work: tuple[SourcePayload, Any]) -> Callable[[], tuple[SourcePayload, Any]]:
    return lambda: work


@dataclass(frozen=True)
class _Sent:
    """A batch on the cluster: enough to send it again."""

    item: Any
    work: tuple[SourcePayload, Any]  # (source, batch) as made on this machine
    workers: tuple[str, ...]  # the workers it may run on
    source: Any  # the scattered source's Future, or the payload itself (a shared path)
    target: str  # the worker its source was sent to
    tries: int = 0  # times sent again because its source was lost

    def release(self) -> None:
        if self.source is not self.work[0]:
            self.source.release()


@dataclass
class DaskSession:
    """One build's connection to a Dask cluster, opened on first use, closed by `close`."""

    choice: ExecutorChoice
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    _client: Any = None
    _failure: ExecutorError | None = None
    _verdicts: dict[tuple[bool, str], bool] = field(default_factory=dict)  # (video, worker)
    _notes: list[Diagnostic] = field(default_factory=list)
    _direct: bool = True  # sources and outputs go straight between here and the workers

    @classmethod
    def for_build(cls, settings: ExecutorSettings, cli_scheduler: str | None
                  ) -> DaskSession | None:
        """A session when site.toml, the environment or --scheduler ask for Dask."""
        choice = choose_executor(settings, cli_scheduler, os.environ)
        return cls(choice) if choice.is_dask else None

    @property
    def settings(self) -> ExecutorSettings:
        return self.choice.settings

    def run_image_jobs(self, plan: ImagePlan) -> ImageRunResult:
        from reelpress.media.remote_run import run_image_jobs

        return run_image_jobs(self, plan)

    def fail(self, message: str, hint: str = "") -> ExecutorError:
        return ExecutorError(error(self.choice.origin, None, message, hint))

    def client(self) -> Any:
        if self._failure is not None:
            raise self._failure
        if self._client is None:
            try:
                self._client = self._connect()
            except ExecutorError as exc:
                self._failure = exc
                raise
        return self._client

    def _connect(self) -> Any:
        address = self.choice.scheduler
        if not address:
            raise self.fail("executor = 'dask' needs the scheduler's address",
                            f"set scheduler = 'tcp://host:8786' in [media], {ENV_SCHEDULER}, "
                            "or pass --scheduler")
        distributed = _import_distributed(self.choice.origin)
        self._quiet_logs()
        timeout = self.settings.connect_timeout
        start_hint = ("start it with `dask scheduler` (and workers with `dask worker "
                      f"{address}`), or set executor = 'local' in [media]")
        problem = _probe_scheduler(distributed, address, timeout)
        if problem:
            raise self.fail(f"cannot reach the Dask scheduler at {address}: {problem}",
                            start_hint)
        try:
            client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise self.fail(f"cannot reach the Dask scheduler at {address}: {exc}",
                            start_hint) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            client.close()
            raise self.fail(f"the Dask scheduler at {address} has no workers",
                            f"start one with `dask worker {address} --resources "
                            f"{self.settings.resource or 'ENCODE'}=1`") from None
        return client

    @staticmethod
    def _quiet_logs() -> None:
        """distributed logs connection trouble with tracebacks, from its own thread, even
        after the client is closed; the build reports the trouble itself, once. So its
        loggers (each has its own level) stay quiet for the rest of this process."""
        names = [name for name in logging.root.manager.loggerDict
                 if name == "distributed" or name.startswith("distributed.")]
        for name in names:
            logging.getLogger(name).setLevel(logging.CRITICAL)

    def allowed_workers(self, expected: WorkerVersions, *, video: bool) -> tuple[str, ...]:
        """The live workers whose versions match `expected` and that offer the encode
        resource. A worker is asked once, when first seen (one that joins mid-build
        too); every refused one is named in a warning. Raises ExecutorError when the
        cluster has no worker that may run these jobs."""
        allowed = self._vet(self._live_workers(), expected, video=video)
        if not allowed:
            raise self.fail(f"no Dask worker at {self.choice.scheduler} can make this build's "
                            "outputs", "; ".join(n.message for n in self._notes[-3:])
                            or "start workers and build again")
        return allowed

    def _live_workers(self) -> dict[str, Any]:
        """address -> the scheduler's record of each worker; empty when the link is down."""
        client = self.client()
        if client.status != "running":
            return {}
        try:
            return dict(client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception:  # noqa: BLE001 - the scheduler went away: no worker is live
            return {}

    def _vet(self, live: dict[str, Any], expected: WorkerVersions, *, video: bool
             ) -> tuple[str, ...]:
        unknown = sorted(address for address in live if (video, address) not in self._verdicts)
        if unknown:
            try:  # a worker that cannot even import reelpress answers with its exception
                reported: dict[str, Any] = self.client().run(
                    worker_versions, workers=unknown, on_error="return")
            except Exception as exc:  # noqa: BLE001 - the link to the scheduler is gone
                raise self.fail(f"the Dask workers could not report their versions: {exc}",
                                "check the scheduler, then build again") from None
            for address, versions in sorted(reported.items()):
                self._verdicts[video, address] = self._judge(
                    address, versions, live[address].get("resources", {}), expected, video)
        return tuple(address for address in sorted(live) if self._verdicts.get((video, address)))

    def _judge(self, address: str, versions: Any, resources: dict[str, float],
               expected: WorkerVersions, video: bool) -> bool:
        differences = versions.differences(expected, video=video) \
            if isinstance(versions, WorkerVersions) else \
            [f"no usable reelpress ({type(versions).__name__}: {versions})"]
        resource = self.settings.resource
        if differences:
            self._notes.append(warning(
                self.choice.origin, None,
                f"Dask worker {address} refused: it has {'; '.join(differences)}",
                "outputs are named from this machine's versions: install the same "
                "reelpress, ffmpeg (the imageio-ffmpeg wheel pins one) and Pillow on "
                "every worker"))
            return False
        if resource and resource not in resources:
            self._notes.append(warning(
                self.choice.origin, None,
                f"Dask worker {address} has no {resource} resource and gets no media jobs",
                f"start it with --resources {resource}=1"))
            return False
        return True

    def take_notes(self) -> tuple[Diagnostic, ...]:
        notes, self._notes = tuple(self._notes), []
        return notes

    def _slots(self, live: dict[str, Any], workers: tuple[str, ...]) -> int:
        """Jobs that can run at once on `workers` (their encode resource, else threads)."""
        resource = self.settings.resource
        return sum(int(live[w].get("resources", {}).get(resource, 0)) if resource
                   else int(live[w].get("nthreads", 1)) for w in workers if w in live)

    def map_batches(self, function: Callable[..., BatchResult],
                    items: Iterable[tuple[Item, Callable[[], tuple[SourcePayload, Any]]]],
                    expected: WorkerVersions, *, video: bool, label: Callable[[Item], str]
                    ) -> Iterator[tuple[Item, BatchResult | str]]:
        """Run `function(payload, batch)` for each (item, make -> (payload, batch)) on the
        workers that match `expected`; yield (item, result) as they complete, or (item,
        error text) for a batch that could not be made or failed everywhere. Ctrl-C
        cancels everything still outstanding.

        A work queue: only as many batches as there are free encode slots are on the
        cluster (a day of footage is not all in memory), the rest wait here, so a worker
        that joins mid-build takes the next ones; a batch left waiting for workers that
        have all gone, or whose source was lost with its worker, is sent again."""
        client = self.client()
        todo: deque[tuple[Item, Callable[[], tuple[SourcePayload, Any]], int]] = deque(
            (item, make, 0) for item, make in items)
        done: queue.Queue[Any] = queue.Queue()
        pending: dict[Any, _Sent] = {}
        keys = itertools.count(1)

        def send(item: Item, work: tuple[SourcePayload, Any], workers: tuple[str, ...],
                 tries: int) -> None:
            payload, batch = work
            target = self._least_busy(workers, [sent.target for sent in pending.values()])
            source = self._place(client, payload, target)
            future = self._submit(client, function, source, batch, workers,
                                  f"reelpress-{label(item)}-{self.token}-{next(keys)}")
            pending[future] = _Sent(item, work, workers, source, target, tries)
            future.add_done_callback(done.put)

        def again(sent: _Sent, tries: int) -> None:  # first in the queue, made as it was
            todo.appendleft((sent.item, _ready(sent.work), tries))

        def top_up(live: dict[str, Any], workers: tuple[str, ...]
                   ) -> Iterator[tuple[Item, BatchResult | str]]:
            while todo and len(pending) < self._slots(live, workers):
                item, make, tries = todo.popleft()
                try:
                    work = make()
                except (TransferError, OSError) as exc:
                    yield item, str(exc)
                    continue
                try:
                    send(item, work, workers, tries)
                except Exception as exc:  # noqa: BLE001 - its worker left as it was chosen
                    if tries >= self.settings.retries:
                        yield item, f"could not send {work[0].name} to a Dask worker: {exc}"
                        continue
                    todo.appendleft((item, _ready(work), tries + 1))
                    return

        try:
            live = self._live_workers()
            workers = self.allowed_workers(expected, video=video)
            gone_since: float | None = None
            yield from top_up(live, workers)
            while pending or todo:
                try:
                    future = done.get(timeout=TICK_SECONDS)
                except queue.Empty:
                    future = None
                live, workers = self._refresh(expected, video, workers)
                if future is not None and future in pending:
                    sent = pending.pop(future)
                    if self._source_lost(future, sent) and sent.tries < self.settings.retries:
                        again(sent, sent.tries + 1)
                        yield from top_up(live, workers)
                        continue
                    yield from top_up(live, workers)  # the freed slot works while we collect
                    outcome = self._outcome(future)
                    sent.release()
                    future.release()
                    yield sent.item, outcome
                    continue
                yield from top_up(live, workers)  # slots of workers that joined
                if any(w in live for w in workers):
                    gone_since = None
                    for sent in self._stranded(client, pending, live):
                        again(sent, sent.tries)
                else:
                    gone_since = gone_since or time.monotonic()
                    if time.monotonic() - gone_since > self.settings.connect_timeout:
                        raise self.fail(f"every usable Dask worker at {self.choice.scheduler} "
                                        "left during the build", "start workers and build again")
        except BaseException:
            self._cancel(client, list(pending))
            raise

    def _refresh(self, expected: WorkerVersions, video: bool, workers: tuple[str, ...]
                 ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """(live workers, those allowed) now; the previous list if none can be asked."""
        live = self._live_workers()
        try:
            return live, self._vet(live, expected, video=video) or workers
        except ExecutorError:  # the link is going: the futures will say so
            return live, workers

    @staticmethod
    def _stranded(client: Any, pending: dict[Any, _Sent], live: dict[str, Any]) -> list[_Sent]:
        """Batches restricted to workers that have all left (Dask would hold them for
        those forever): cancelled here, to be sent to the workers there are now."""
        stranded = [future for future, sent in pending.items()
                    if not any(w in live for w in sent.workers) and not future.done()]
        if stranded:
            with contextlib.suppress(Exception):
                client.cancel(stranded, force=True)
        found = [pending.pop(future) for future in stranded]
        for sent in found:
            sent.release()
        return found

    def _source_lost(self, future: Any, sent: _Sent) -> bool:
        """The batch could not run because the only worker holding its source died (a
        scattered source has no recipe for Dask to make it again): send it anew."""
        if sent.source is sent.work[0] or future.status == "finished":
            return False
        return bool(self._client is not None and self._client.status == "running"
                    and sent.source.status != "finished")

    @staticmethod
    def _least_busy(workers: tuple[str, ...], targets: list[str]) -> str:
        return min(workers, key=lambda worker: (targets.count(worker), worker))

    def _place(self, client: Any, payload: SourcePayload, target: str) -> Any:
        """The source of one batch: its bytes sent once, straight to the least busy
        allowed worker (which will most likely run the batch; another one fetches them
        from there), not through the scheduler inside the task. A path (shared
        transfer) goes as it is."""
        if payload.data is None:
            return payload
        if self._direct:
            try:
                return client.scatter(payload, workers=[target], direct=True, hash=False)
            except (OSError, TimeoutError):  # the workers cannot be reached from here
                self._direct = False
        return client.scatter(payload, workers=[target], direct=False, hash=False)

    def _submit(self, client: Any, function: Callable[..., BatchResult], source: Any,
                batch: Any, workers: tuple[str, ...], key: str) -> Any:
        resource = self.settings.resource
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a shared path's payload is small anyway
            return client.submit(function, source, batch, key=key, pure=False,
                                 retries=self.settings.retries,
                                 resources={resource: 1} if resource else None,
                                 workers=list(workers), allow_other_workers=False)

    def _outcome(self, future: Any) -> BatchResult | str:
        distributed = _import_distributed()
        try:
            return self._client.gather(future, direct=self._direct)  # type: ignore[no-any-return,union-attr]
        except distributed.client.FutureCancelledError as exc:
            if "connection-lost" in str(exc) or self._client.status != "running":
                raise self.fail(f"lost the connection to the Dask scheduler at "
                                f"{self.choice.scheduler} during the build",
                                "check that it is still running, then build again") from None
            return "cancelled on the cluster"
        except distributed.KilledWorker as exc:
            return (f"every Dask worker that tried it died ({exc.last_worker.address} last)"
                    if getattr(exc, "last_worker", None) else "every Dask worker that tried "
                    "it died") + "; check the workers' memory and logs"
        except Exception as exc:  # noqa: BLE001 - an error raised on the worker, retried already
            return f"failed on the Dask cluster: {type(exc).__name__}: {exc}"

    def _cancel(self, client: Any, futures: list[Any]) -> None:
        """Ctrl-C: stop the workers' ffmpeg (they watch this Event), drop the futures."""
        distributed = _import_distributed()
        with contextlib.suppress(Exception):
            distributed.Event(self.cancel_event, client=client).set()
        with contextlib.suppress(Exception):
            client.cancel(futures, force=True)

    @property
    def cancel_event(self) -> str:
        return f"reelpress-cancel-{self.token}"

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close(timeout=5)
            self._client = None
