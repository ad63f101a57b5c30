"""Checking a library of specs: a cache of verified results, and files in parallel processes.

`check` and `test` run their passes on each file independently (only `export` needs the
whole run), so `run` here may take a file's result from the cache, or run the file in a
worker process, and still report exactly what `pipeline.run` would, in the same order
whatever the number of jobs. A result from the cache or a worker is plain data: the
file's diagnostics, sources, checks, examples and timings (no model, no graph).

The cache. One entry per spec file, in `cache_dir()` (`$VERIPATH_CACHE_DIR`, else
`$XDG_CACHE_HOME/veripath`, else `~/.cache/veripath`). Its key is the SHA-256 of the
veripath version, the options, the passes, the working directory, the spec's path and its
bytes; the entry lists every file the result was computed from (the spec and everything it
imports) with the SHA-256 of its bytes, and is used only if each still has those bytes.
An entry is a header, the SHA-256 of the payload and the pickled payload; one that does not
read back exactly (truncated, corrupted, from another version, written concurrently) is a
miss, never trusted, and is overwritten. Entries are written to a temporary file and
renamed, so a reader sees a whole entry or none. A file whose result depends on a file
that could not be read (a missing import) is not cached. The integrity hash guards against
corruption, not against someone who can write to your cache folder (they can also write
to your specs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from dsl.codes import Stage
from dsl.diagnostics import Diagnostic
from veripath import pipeline
from veripath.pipeline import FileResult, Options, Report

if TYPE_CHECKING:  # imported when a pool starts: a run of a few files uses none
    from concurrent.futures import ProcessPoolExecutor

_MAGIC = b"veripath-cache 1\n"

FILES_PER_WORKER = 8
"""Fewer files to check than this per job run in fewer processes (8 or fewer: in this one).

A worker process costs a start of the forkserver, which imports the pipeline (about half a
second of CPU), while a typical spec verifies in 0.05-0.3 s: on two cores the shipped specs/
(5 files) took twice as long in two workers as in this process."""


def cache_dir() -> str:
    explicit = os.environ.get("VERIPATH_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "veripath")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def _version() -> str:
    """The veripath that computed a result: its version and a digest of its own source files.

    The version alone is not enough: an editable install, a patched checkout or a mutation-testing
    run changes the code under the same version, and a cached verdict of other code is not a result.
    """
    from veripath import __version__

    h = hashlib.sha256(__version__.encode())
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in ("dsl", "compiler", "verify", "veripath"):
        for folder, dirs, names in os.walk(os.path.join(top, package)):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".py", ".lark")):
                    with open(os.path.join(folder, name), "rb") as fh:
                        h.update(f"{package}/{name}\0".encode() + hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return _digest(fh.read())
    except OSError:
        return None


def _options_text(options: Options) -> str:
    # every field but the exporters (functions; `check` and `test` never export)
    return repr(dataclasses.replace(options, exporters=None))


def cache_key(path: str, options: Options, passes: Sequence[str]) -> str | None:
    """The key of `path`'s entry; None if the file cannot be read (nothing to cache)."""
    content = _file_digest(path)
    if content is None:
        return None
    parts = [_version(), _options_text(options), ",".join(passes), os.getcwd(), os.path.abspath(path), content]
    return _digest("\0".join(parts).encode("utf-8", "surrogateescape"))  # file names need not be UTF-8


def _entry_path(directory: str, key: str) -> str:
    return os.path.join(directory, key[:2], key[2:])


def load(directory: str, key: str) -> FileResult | None:
    """The cached result of `key`, if there is a whole, intact, current entry."""
    try:
        with open(_entry_path(directory, key), "rb") as fh:
            data = fh.read()
        if not data.startswith(_MAGIC):
            return None
        digest, _, payload = data[len(_MAGIC) :].partition(b"\n")
        if digest.decode("ascii") != _digest(payload):
            return None
        import pickle  # only a run with a cache pays for it

        value = pickle.loads(payload)
        depends, result = value["depends"], value["result"]
        if not isinstance(result, FileResult):
            return None
        if any(_file_digest(p) != d for p, d in depends):
            return None
        return result
    except Exception:  # any failure to read it back is a miss
        return None


def store(directory: str, key: str, result: FileResult, depends: list[tuple[str, str]]) -> None:
    """Write the entry of `key` atomically; a failure to write only loses the entry."""
    import pickle
    import tempfile

    payload = pickle.dumps({"depends": depends, "result": result}, protocol=pickle.HIGHEST_PROTOCOL)
    path = _entry_path(directory, key)
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + _digest(payload).encode("ascii") + b"\n" + payload)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def plain(f: FileResult) -> FileResult:
    """The result as plain, picklable data: no model, graph, parse or solver."""
    return dataclasses.replace(f, model=None, graph=None, read=None, verifier=None)


def _depends(f: FileResult) -> list[tuple[str, str]] | None:
    """Every file the result was computed from, with the digest of the bytes that were read;
    None if that cannot be established (a file unreadable now, or changed since it was read)."""
    from dsl.reader import decode

    if any(d.code.stage is Stage.READ and d.is_error for d in f.diagnostics):
        return None  # it may depend on a file that is missing now
    out = []
    for source in f.sources.values():
        try:
            with open(source.path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        text, problem = decode(source.path, data)
        if problem is not None or text != source.text:
            return None
        out.append((source.path, _digest(data)))
    if not any(os.path.realpath(p) == os.path.realpath(f.source_path) for p, _ in out):
        return None
    return sorted(out)


def check_one(
    path: str, options: Options, passes: tuple[str, ...], cache: str | None, *, lookup: bool = True
) -> FileResult:
    """Run `passes` on one file (in this process or a worker), through the cache if given."""
    key = cache_key(path, options, passes) if cache is not None else None
    if lookup and cache is not None and key is not None:
        hit = load(cache, key)
        if hit is not None:
            return dataclasses.replace(hit, source_path=path)
    chosen = [pipeline.BY_NAME[n] for n in passes]
    result = plain(pipeline.run([path], options, chosen).files[0])
    if cache is not None and key is not None:
        depends = _depends(result)
        if depends is not None:
            store(cache, key, result, depends)
    return result


def _worker_init() -> None:
    from veripath import entry

    entry.start()  # a worker is the command's own process: its collector settings


@contextlib.contextmanager
def worker_pool(workers: int, preload: str) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes. On POSIX a fork server imports `preload` (the module whose
    functions the workers run) and what the passes import when they run (`pipeline.PASS_MODULES`)
    once, and each worker forks from it; an exception or Ctrl-C while
    the pool is in use cancels what has not started."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    context: Any = get_context("forkserver" if os.name == "posix" else "spawn")
    if os.name == "posix":
        context.set_forkserver_preload([preload, *pipeline.PASS_MODULES])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def run(
    files: Sequence[str],
    options: Options,
    passes: Sequence[pipeline.Pass],
    *,
    extra: Sequence[Diagnostic] = (),
    jobs: int = 1,
    cache: str | None = None,
) -> Report:
    """`pipeline.run` for passes that work file by file (not `export`), with a cache and
    `jobs` worker processes; the report is the same as `pipeline.run`'s, in the same order."""
    import time

    names = tuple(p.name for p in sorted(passes, key=lambda p: list(pipeline.BY_NAME).index(p.name)))
    if "export" in names:
        raise ValueError("export needs the whole run: use pipeline.run")
    t0 = time.perf_counter()
    results: list[FileResult | None] = [None] * len(files)
    todo: list[int] = []
    for i, path in enumerate(files):
        key = cache_key(path, options, names) if cache is not None else None
        hit = load(cache, key) if cache is not None and key is not None else None
        if hit is not None:
            results[i] = dataclasses.replace(hit, source_path=path)
        else:
            todo.append(i)
    # a worker costs about what importing the pipeline costs: give each a few files at least
    workers = min(jobs, -(-len(todo) // FILES_PER_WORKER))
    if workers <= 1:
        for i in todo:
            results[i] = check_one(files[i], options, names, cache, lookup=False)
    else:
        with worker_pool(workers, "veripath.batch") as pool:
            futures = {i: pool.submit(check_one, files[i], options, names, cache, lookup=False) for i in todo}
            for i, future in futures.items():
                results[i] = future.result()
    report = Report(files=[r for r in results if r is not None], extra=list(extra), options=options, passes=names)
    report.seconds = time.perf_counter() - t0
    return report
