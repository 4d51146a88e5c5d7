"""One way to run many independent tasks (schools) in worker processes, used by `roster`, by the
audit's analysis and by the audit's letters.

- One failing task never stops the others: its error becomes that task's outcome.
- Ctrl-C (SIGINT) or SIGTERM stops submitting at once, cancels pending tasks, terminates the
  workers (killed after 5 s) and raises `Interrupted`; results already delivered stay delivered
  (callers store them as they arrive, e.g. in the audit cache).
- Workers ignore SIGINT (the parent decides) and die with their parent (Linux PR_SET_PDEATHSIG),
  so no worker outlives the command that started it."""
from __future__ import annotations

import concurrent.futures as cf
import os
import signal
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .errors import PolicyKitError

TERMINATE_GRACE_SECONDS = 5.0


class Interrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; ``signum`` says which (exit 130 or 143)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass
class Task:
    key: Any  # what the caller needs to recognise the outcome (an index, a label)
    function: Callable[..., Any]  # a module-level function (it is pickled for the workers)
    args: tuple = ()


@dataclass
class Outcome:
    key: Any
    ok: bool
    value: Any = None
    error: str = ""  # the message, when not ok
    internal: bool = False  # a bug rather than bad input


def run_tasks(tasks: Sequence[Task], *, jobs: int, progress: bool = False, unit: str = "school",
              on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every task (in order when jobs == 1); return the outcomes in the order of ``tasks``."""
    from tqdm import tqdm

    outcomes: dict[int, Outcome] = {}
    bar = tqdm(total=len(tasks), unit=unit, disable=not progress, dynamic_ncols=True)

    def deliver(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)
        bar.update(1)

    try:
        with _signals_raise_interrupted():
            if jobs <= 1 or len(tasks) <= 1:
                for i, task in enumerate(tasks):
                    deliver(i, _call(task))
            else:
                _run_pool(tasks, jobs, deliver)
    finally:
        bar.close()
    return [outcomes[i] for i in sorted(outcomes)]


def _call(task: Task) -> Outcome:
    try:
        return Outcome(task.key, True, task.function(*task.args))
    except PolicyKitError as exc:
        return Outcome(task.key, False, error=str(exc))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a bug in one task must not stop the others
        return Outcome(task.key, False, error=f"internal error: {exc.__class__.__name__}: {exc}", internal=True)


def _worker_call(task: Task) -> Outcome:
    return _call(task)


def _run_pool(tasks: Sequence[Task], jobs: int, deliver: Callable[[int, Outcome], None]) -> None:
    pool = cf.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=_worker_init)
    futures: dict[cf.Future, int] = {}
    try:
        for i, task in enumerate(tasks):
            futures[pool.submit(_worker_call, task)] = i
        for future in cf.as_completed(futures):
            i = futures[future]
            try:
                outcome = future.result()
            except cf.process.BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                outcome = Outcome(tasks[i].key, False, error=f"internal error: a worker process died ({exc})", internal=True)
            deliver(i, outcome)
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (SIGTERM, then SIGKILL after a grace)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(TERMINATE_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(1)


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:  # die with the parent, even if it is killed with SIGKILL
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass


class _signals_raise_interrupted:
    """Within the block, SIGTERM (and SIGINT) raise Interrupted in the main thread."""

    def __enter__(self) -> None:
        self.saved = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self.saved[signum] = signal.signal(signum, _raise_interrupted)
            except ValueError:  # not the main thread (e.g. a web server worker thread)
                pass

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)
