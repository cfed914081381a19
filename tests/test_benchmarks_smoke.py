"""The benchmark harness runs end to end at toy sizes, so `make bench` cannot rot.

It asserts that every figure and target is produced, never how fast anything is."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    contenders = ["raw_httpx", "sdk"]
    if importlib.util.find_spec("openai") is not None:
        contenders.append("openai")

    for name in [*contenders, "http.client"]:
        assert figures["get_file_us"][name] > 0
    assert figures["get_file_ratio_sdk_raw"] > 0
    for name in contenders:
        assert figures["concurrent_rps"][name] > 0
    assert figures["concurrent_ratio_sdk_raw"] > 0
    for rounds in ("get_file_us_rounds", "concurrent_rps_rounds", "import_ms_rounds"):
        assert figures[rounds]["sdk"], rounds
    assert figures["import_ms"]["httpx"] > 0
    assert figures["import_ms"]["sdk"] > 0
    assert isinstance(figures["import_extra_ms_sdk_vs_httpx"], float)

    assert sorted(figures["download"]) == ["1MiB", "3MiB"]
    for sizes in figures["download"].values():
        for name in contenders:
            assert sizes["gbps"][name] > 0
            assert sizes["peak_growth_mib"][name] >= 0
        assert sizes["gbps"]["raw_httpx_fsync"] > 0
        assert len(sizes["gbps_rounds"]["sdk"]) == 1
        assert sizes["ratio_sdk_raw"] > 0
        assert sizes["ratio_sdk_raw_fsync"] > 0
    if "openai" in contenders:
        assert figures["get_file_ratio_sdk_openai"] > 0
        assert figures["download"]["1MiB"]["gbps"]["openai_streaming"] > 0

    names = [t["name"] for t in figures["targets"]]
    assert len(names) == 7, names
    for target in figures["targets"]:
        assert isinstance(target["value"], float), target
        assert target["met"] in (True, False), target
        assert target["name"] in table
    assert figures["all_met"] == all(t["met"] for t in figures["targets"])
    assert "targets" in table
