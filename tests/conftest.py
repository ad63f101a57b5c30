"""Shared pytest configuration: golden-file regeneration and opt-in slow tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# The test command is deterministic: hypothesis replays the same examples on every run, so
# CI cannot fail on a case nobody has seen. VERIPATH_HYPOTHESIS=random explores new ones.
settings.register_profile("deterministic", derandomize=True)
settings.register_profile("random", derandomize=False)
settings.load_profile(os.environ.get("VERIPATH_HYPOTHESIS", "deterministic"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite expected files from current output")
    parser.addoption("--runslow", action="store_true", help="run the heavier fuzzing tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands never touch the user's cache, and run in one process unless a test asks for jobs
    (worker processes are tested in tests/veripath/test_batch.py)."""
    monkeypatch.setenv("VERIPATH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("VERIPATH_JOBS", "1")
