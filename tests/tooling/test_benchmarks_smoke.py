"""The benchmark harness runs end to end at toy sizes, so `make bench` cannot rot.

It asserts that every figure and target is produced, never how fast anything is."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import ROOT

SMOKE_CALLERS = "16"  # the load part's one number of callers in smoke mode
LOAD_TARGETS = [
    f"load x{SMOKE_CALLERS} throttled service, SDK requests/success",
    f"load x{SMOKE_CALLERS} throttled service, SDK goodput",
    f"load x{SMOKE_CALLERS} throttled service, SDK failures to callers",
    f"load x{SMOKE_CALLERS} throttled service, SDK peak requests/100 ms",
    f"load x{SMOKE_CALLERS} throttled service, SDK behind openai/azure-core on",
    f"load x{SMOKE_CALLERS} 503 window, SDK requests/success",
    f"load x{SMOKE_CALLERS} 503 window, SDK behind openai/azure-core on",
]


DOWNLOAD_SIZES = ["1MiB", "3MiB"]  # the smoke run's
DOWNLOAD_TARGETS = [
    name
    for size in DOWNLOAD_SIZES
    for name in (
        f"download {size}, SDK/raw httpx2 throughput",
        f"download {size}, SDK peak memory growth",
        f"download {size}, SDK on aiohttp/raw aiohttp throughput",
        f"download {size}, SDK on aiohttp peak memory growth",
    )
]
CONCURRENT_TARGETS = [
    "get_file x64 concurrent, SDK/raw httpx2 rps",
    "get_file x64 concurrent, SDK on aiohttp/raw aiohttp rps",
    "get_file x64 concurrent, SDK best/openai best rps",
]
# The SDK on aiohttp until the SDK takes an aiohttp session: absent, with this note.
SDK_AIOHTTP_ABSENT = "SDK aiohttp transport not available"


UPLOAD_SIZES = ["1MiB", "3MiB"]  # the smoke run's; 3 MiB goes through the Uploads API
UPLOAD_TARGETS = [
    name
    for size in UPLOAD_SIZES
    for name in (
        f"upload {size}, SDK/raw httpx2 throughput",
        f"upload {size}, SDK peak memory growth",
        f"upload {size}, async SDK/raw async httpx2 throughput",
        f"upload {size}, async SDK peak memory growth",
    )
]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # its parent package is missing
        return False


def sdk_aiohttp_ran(figures: dict[str, Any]) -> bool:
    """Whether the SDK on aiohttp was measured: when it was not, a note says why."""
    absent = any(SDK_AIOHTTP_ABSENT in note for note in figures["notes"])
    return _installed("aiohttp") and not absent


def concurrent_contenders(figures: dict[str, Any]) -> list[str]:
    names = ["sdk", "raw_httpx2"]
    if _installed("openai"):
        names.append("openai")
    if _installed("aiohttp"):
        names.append("raw_aiohttp")
        if _installed("openai"):
            names.append("openai_aiohttp")
    if sdk_aiohttp_ran(figures):
        names.append("sdk_aiohttp")
    return names


def download_contenders(figures: dict[str, Any]) -> list[str]:
    names = ["raw_httpx2", "raw_httpx2_fsync", "raw_httpx", "sdk"]
    if _installed("openai"):
        names += ["openai", "openai_streaming"]
    if _installed("aiohttp"):
        names += ["raw_aiohttp", "raw_aiohttp_fsync"]
    if sdk_aiohttp_ran(figures):
        names.append("sdk_aiohttp")
    return names


def check_concurrent_figures(figures: dict[str, Any], table: str) -> None:
    """The concurrency part: each available contender ran every round at 64 and 256 tasks."""
    names = concurrent_contenders(figures)
    assert list(figures["concurrent"]) == ["64", "256"]
    for level in figures["concurrent"].values():
        assert sorted(level["rps"]) == sorted(names)
        for name in names:
            assert level["rps"][name] > 0, name
            assert len(level["rps_rounds"][name]) == level["rounds"] == 2, name
        assert level["calls_per_round"] > 0
        assert level["ratio_sdk_raw"] > 0
        assert level["sdk_best"] in ("sdk", "sdk_aiohttp")
        if "sdk_aiohttp" in names:
            assert level["ratio_sdk_aiohttp_raw_aiohttp"] > 0
        if "openai" in names:
            assert level["ratio_sdk_openai"] > 0
            assert level["ratio_sdk_best_openai_best"] > 0
    assert figures["concurrent_seconds"] > 0
    assert sorted(figures["concurrent_httpx_imported"]) == sorted(names)
    assert all(isinstance(v, bool) for v in figures["concurrent_httpx_imported"].values())
    assert "64 and 256 concurrent" in table and "x256 req/s" in table
    for name in names:
        assert f"   {name} " in table, name


def check_download_figures(figures: dict[str, Any]) -> None:
    names = download_contenders(figures)
    assert list(figures["download"]) == DOWNLOAD_SIZES
    for sizes in figures["download"].values():
        assert sorted(sizes["gbps"]) == sorted(names)
        for name in names:
            assert sizes["gbps"][name] > 0, name
            assert sizes["peak_growth_mib"][name] >= 0, name
        assert len(sizes["gbps_rounds"]["sdk"]) == 1
        assert sizes["ratio_sdk_raw"] > 0
        assert sizes["ratio_sdk_raw_fsync"] > 0
        assert sizes["ratio_sdk_httpx"] > 0
        if "sdk_aiohttp" in names:
            assert sizes["ratio_sdk_aiohttp_raw_aiohttp"] > 0
            assert sizes["ratio_sdk_aiohttp_raw_aiohttp_fsync"] > 0


def check_targets(figures: dict[str, Any], table: str) -> None:
    """Each target judged, or n/a for want of what it compares with (openai, the SDK on
    aiohttp, a library to be ahead of)."""
    openai = _installed("openai")
    aiohttp = sdk_aiohttp_ran(figures)
    alone = load_contenders() == ["sdk", "ideal"]
    for target in figures["targets"]:
        name = target["name"]
        assert name in table
        if (
            ("SDK on aiohttp" in name and not aiohttp)
            or (name.endswith("SDK best/openai best rps") and not openai)
            or (name.endswith("behind openai/azure-core on") and alone)
        ):
            assert target["met"] is None, target
            continue
        assert isinstance(target["value"], float), target
        assert target["met"] in (True, False), target
    assert figures["all_met"] == all(t["met"] is True for t in figures["targets"])


def load_contenders() -> list[str]:
    names = ["sdk", "ideal"]
    if _installed("openai"):
        names.append("openai")
    if _installed("azure.core") and _installed("aiohttp"):
        names.append("azure_core")
    return names


def check_load_figures(figures: dict[str, Any], table: str) -> None:
    """The load part: every contender that is installed ran each scenario, with every figure."""
    load = figures["load"]
    assert load["settings"]["callers"] == [int(SMOKE_CALLERS)]
    assert load["section_seconds"] > 0
    for scenario in ("throttled", "flaky"):
        assert list(load[scenario]) == [SMOKE_CALLERS]
        level = load[scenario][SMOKE_CALLERS]
        assert sorted(level["contenders"]) == sorted(load_contenders())
        for name, row in level["contenders"].items():
            assert row["requests_per_success"] >= 1.0, (scenario, name)
            assert row["goodput"] > 0, (scenario, name)
            assert row["failures"] >= 0
            assert row["successes"] >= load["settings"]["successes"] or row["cap_hit"] is True
            assert 0 < row["p50_ms"] <= row["p99_ms"], (scenario, name)
            assert row["peak_100ms"] >= 1 and row["requests"] >= row["successes"]
            answers = {"throttled": {"200", "429"}, "flaky": {"200", "503"}}[scenario]
            assert "200" in row["status"] and set(row["status"]) <= answers, row["status"]
            assert sum(row["status"].values()) == row["requests"]
            assert bool(row["in_window"]) == (scenario == "flaky")
        assert isinstance(level["sdk_behind_on"], list)
    assert "5. many callers on one client" in table
    assert "throttled service" in table and "503 window" in table
    assert "section took" in table


def upload_contenders() -> list[str]:
    names = ["raw_httpx2", "raw_httpx2_async", "sdk", "sdk_async", "sendfile"]
    if _installed("openai"):
        names += ["openai", "openai_fileobj"]
    return names


def check_upload_figures(figures: dict[str, Any], table: str) -> None:
    """The upload part: every contender uploaded each size (verified by MD5 on the server),
    the SDK through the Uploads API above its (lowered) threshold."""
    upload = figures["upload"]
    assert list(upload) == UPLOAD_SIZES
    for size, d in upload.items():
        assert sorted(d["mbps"]) == sorted(upload_contenders()), size
        for name in upload_contenders():
            assert d["mbps"][name] > 0, (size, name)
            assert d["peak_growth_mib"][name] >= 0, (size, name)
            assert len(d["mbps_rounds"][name]) == 1
        assert d["verified_md5"] is True
        assert d["ratio_sdk_raw"] > 0 and d["ratio_sdk_async_raw_async"] > 0
    assert upload["1MiB"]["sdk_uses_uploads_api"] is False
    assert upload["1MiB"]["route"]["sdk"] == "one POST /files"
    assert upload["3MiB"]["sdk_uses_uploads_api"] is True
    for name in ("sdk", "sdk_async"):
        assert upload["3MiB"]["route"][name] == "Uploads API, 4 parts", upload["3MiB"]["route"]
    assert upload["3MiB"]["route"]["raw_httpx2"] == "one POST /files"
    assert "6. upload from disk" in table and "sendfile ceiling" in table


def list_contenders() -> list[str]:
    names = ["raw_httpx2", "sdk", "sdk_async"]
    if _installed("openai"):
        names += ["openai", "openai_async"]
    return names


def check_list_figures(figures: dict[str, Any], table: str) -> None:
    """The list part: each contender listed the server's files (two pages in smoke mode)."""
    listing = figures["list"]
    assert listing["files_on_server"] == 250 and listing["page_size"] == 200
    assert sorted(listing["ms"]) == sorted(list_contenders())
    for name in list_contenders():
        assert listing["ms"][name] > 0, name
        assert len(listing["ms_rounds"][name]) == 2
        assert listing["files_listed"][name] == 250, name
        assert listing["requests"][name] >= 2, name
    assert listing["requests"]["sdk"] == 2  # the short second page is the last
    assert listing["ratio_sdk_raw"] > 0
    assert "7. list 250 files" in table


@pytest.mark.timeout(660)
def test_benchmark_smoke_run_reports_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    table = "\n".join(lines[:-1])

    assert figures["benchmark"] == "azure-openai-files"
    assert figures["smoke"] is True
    # raw httpx2 is the baseline; raw httpx is the reference row of the previous stack.
    contenders = ["raw_httpx2", "raw_httpx", "sdk"]
    if importlib.util.find_spec("openai") is not None:
        contenders.append("openai")
    assert figures["versions"]["httpx2"]
    assert len(figures["machine"]["load_average_start"]) == 3

    for name in [*contenders, "http.client"]:
        assert figures["get_file_us"][name] > 0
    assert figures["get_file_ratio_sdk_raw"] > 0
    assert figures["get_file_ratio_sdk_httpx"] > 0
    check_concurrent_figures(figures, table)
    for rounds in ("get_file_us_rounds", "import_ms_rounds"):
        assert figures[rounds]["sdk"], rounds
    assert figures["import_ms"]["httpx2"] > 0
    assert figures["import_ms"]["httpx"] > 0
    assert figures["import_ms"]["sdk"] > 0
    assert isinstance(figures["import_extra_ms_sdk_vs_httpx2"], float)
    if _installed("aiohttp"):  # figures only: the SDK with aiohttp, and aiohttp alone
        assert figures["import_ms"]["aiohttp"] > 0
        assert figures["import_ms"]["sdk_aiohttp"] > 0
        assert isinstance(figures["import_extra_ms_sdk_aiohttp_vs_sdk"], float)
    if sdk_aiohttp_ran(figures):
        assert isinstance(figures["sdk_aiohttp_imports_httpx"], bool)
    else:
        assert "sdk_aiohttp_imports_httpx" not in figures

    # Tracing: with no provider and with the SDK's, each against tracing=False in its process.
    assert sorted(figures["tracing"]) == ["none", "sdk"]
    for provider in figures["tracing"].values():
        assert provider["us"]["tracing"] > 0 and provider["us"]["tracing_off"] > 0
        assert len(provider["us_rounds"]["tracing"]) == 6
        assert provider["ratio"] > 0
    assert "5. get_file with tracing" in table

    check_download_figures(figures)
    if "openai" in contenders:
        assert figures["get_file_ratio_sdk_openai"] > 0

    names = [t["name"] for t in figures["targets"]]
    expected = [
        "import, SDK minus httpx2",
        "get_file sequential, SDK/raw httpx2 time",
        *CONCURRENT_TARGETS,
        "get_file traced, no provider/tracing=False time",
        *DOWNLOAD_TARGETS,
        *UPLOAD_TARGETS,
        *LOAD_TARGETS,
    ]
    assert names == expected
    check_targets(figures, table)
    assert "targets" in table
    check_load_figures(figures, table)
    check_upload_figures(figures, table)
    check_list_figures(figures, table)


@pytest.mark.timeout(330)
def test_a_benchmark_run_of_the_downloads_only_measures_nothing_else() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--only", "download"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    check_download_figures(figures)
    assert "get_file_us" not in figures and "concurrent" not in figures
    assert "import_ms" not in figures and "load" not in figures
    assert "upload" not in figures and "list" not in figures
    assert [t["name"] for t in figures["targets"]] == DOWNLOAD_TARGETS
    check_targets(figures, "\n".join(lines[:-1]))


@pytest.mark.timeout(330)
def test_a_benchmark_run_of_the_load_part_only_measures_nothing_else() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--only", "load"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    check_load_figures(figures, "\n".join(lines[:-1]))
    assert "get_file_us" not in figures and "concurrent" not in figures
    assert "download" not in figures and "import_ms" not in figures
    assert [t["name"] for t in figures["targets"]] == LOAD_TARGETS
    for target in figures["targets"]:
        if target["met"] is not None:
            assert isinstance(target["value"], float), target
            assert target["met"] in (True, False), target


@pytest.mark.timeout(330)
@pytest.mark.parametrize("part", ["upload", "list"])
def test_a_benchmark_run_of_the_uploads_or_the_listing_only_measures_nothing_else(
    part: str,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--only", part],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    table = "\n".join(lines[:-1])
    others = {"get_file_us", "concurrent", "download", "import_ms", "load", "upload", "list"}
    assert not (others - {part}) & set(figures)
    if part == "upload":
        check_upload_figures(figures, table)
        assert [t["name"] for t in figures["targets"]] == UPLOAD_TARGETS
        for target in figures["targets"]:
            assert isinstance(target["value"], float), target
            assert target["met"] in (True, False), target
            assert target["name"] in table
    else:
        check_list_figures(figures, table)
        assert figures["targets"] == []


@pytest.mark.timeout(10)
def test_download_rounds_change_who_runs_after_whom_and_repeat_across_runs() -> None:
    # Imported by name: the benchmarks' contenders import openai, which only `make bench`
    # installs, and mypy would follow a plain import into them.
    shuffles = importlib.import_module("benchmarks.run")._shuffles
    names = ["a", "b", "c", "d", "e"]
    rounds = list(shuffles(names, 9))
    assert all(sorted(order) == names for order in rounds)  # everyone, once a round
    assert rounds == list(shuffles(names, 9))  # the same orders on every run
    for name in names:
        behind = {order[order.index(name) - 1] for order in rounds if order[0] != name}
        assert len(behind) > 1, f"{name} always runs after {behind}"
