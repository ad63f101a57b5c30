"""Unit tests of the end-to-end benchmark's parsing and report (no processes, no timings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks import e2e, e2e_stages
from veripath import pipeline


def _result(case: str, now: float, bitset: float, boxpair: float, rss: float = 90.0) -> dict[str, Any]:
    def proc(wall: float) -> dict[str, Any]:
        return {"wall_s": wall, "cpu_s": wall / 2, "rss_mib": rss, "status": [1], "timed_out": False}

    return {
        "id": case,
        "bytes": 2**20,
        "truth": {"gap_boxes": 3, "overlap_pairs": 3},
        "veripath": {"before": {**proc(now * 10), "findings": {}}, "now": {**proc(now), "findings": {"VP301": 3}}},
        "stages": dict.fromkeys(e2e.STAGES, 0.1),
        "baselines": {"brute_bitset": proc(bitset), "boxpair": proc(boxpair)},
    }


def test_result_line_and_findings_are_read_from_output() -> None:
    out = 'noise\nRESULT {"seconds": 0.25, "what": "boxpair"}\n'
    assert e2e.result_line(out) == {"seconds": 0.25, "what": "boxpair"}
    assert e2e.result_line("no result") is None
    doc = {"files": [{"diagnostics": [{"code": "VP302"}, {"code": "VP301"}, {"code": "VP302"}]}]}
    assert e2e.findings(json.dumps(doc)) == {"VP301": 1, "VP302": 2}
    assert e2e.findings("not json") == {}


def test_sizes_and_defects() -> None:
    assert e2e.parse_e2e_size("10000x6").id == "e2e-10000x6"
    case = e2e.parse_e2e_size("777")
    assert isinstance(case, e2e.E2ECase) and case.inputs == 6
    assert e2e.E2ECase(1000).defects == 10 and e2e.E2ECase(50).defects == 3 and e2e.E2ECase(50000).defects == 100
    assert {c.id for c in e2e.PLAN} >= {"e2e-1000x6", "e2e-10000x6", "e2e-50000x6", "e2e-50000x10", "e2e-5000x7"}


def test_markdown_gives_ratios_stages_and_targets() -> None:
    results = [_result("e2e-1000x6", 0.4, 0.2, 0.3), _result("e2e-10000x6", 3.0, 0.4, 0.7)]
    text = e2e.markdown(results, {"commit": "abc", "cpus": 2, "load": "1.0"}, ["before", "now"])
    assert text.startswith(e2e.BEGIN) and text.endswith(e2e.END)
    assert "| e2e-1000x6 | 1.00 MiB | 4.00 s (2.00 s) | 400 ms (200 ms) |" in text
    assert "| 2.0× (2.0×) | 1.3× (1.3×) |" in text  # 0.4 / 0.2 and 0.4 / 0.3
    assert "| e2e-1000x6 | ≤ 0.5 s, ≤ 3× brute_bitset | 400 ms, 2.0× | yes |" in text
    assert "| e2e-10000x6 | ≤ 2 s, ≤ 5× brute_bitset, ≤ 3× boxpair | 3.00 s, 7.5×, 4.3× | **no** |" in text
    assert "| e2e-1000x6 | " + " | ".join(["100 ms"] * len(e2e.STAGES)) + " | 13% of 800 ms |" in text


def test_pathway_cases_are_parsed_planned_and_reported(tmp_path: Path) -> None:
    assert e2e.parse_e2e_size("d2000") == e2e.parse_e2e_size("pathway-2000") == e2e.E2EPathway(2000)
    assert e2e.parse_e2e_size("d30").id == "e2e-pathway-30"
    assert "e2e-pathway-2000" in {c.id for c in e2e.PLAN} and e2e.TARGETS["e2e-pathway-2000"].wall_s == 5
    vp, expected = e2e.make_pathway(e2e.E2EPathway(12), tmp_path)
    assert vp.read_text(encoding="utf-8").startswith("guideline pathway_d12 ")
    assert sorted(set(expected.values())) == ["PROVED", "REFUTED"]
    result = _result("e2e-pathway-2000", 4.0, 1.0, 1.0)
    del result["truth"], result["baselines"]
    result["planted"] = "planted 4 violated properties of 10"
    result["veripath"]["now"]["findings"] = {"VP307": 4}
    result["veripath"]["now"]["correct"] = True
    text = e2e.markdown([result], {"commit": "abc", "cpus": 2, "load": "1.0"}, ["now"])
    assert "| VP307 4 (planted 4 violated properties of 10) | - | - | - | - | - |" in text
    assert "| e2e-pathway-2000 | ≤ 5 s | 4.00 s | yes |" in text
    result["veripath"]["now"]["correct"] = False  # a finding lost or added never meets the target
    text = e2e.markdown([result], {"commit": "abc", "cpus": 2, "load": "1.0"}, ["now"])
    assert "| e2e-pathway-2000 | ≤ 5 s | 4.00 s | **no** |" in text


def test_stages_come_from_the_pipelines_passes_with_parse_split_from_read() -> None:
    assert e2e.STAGES == ("start", "read", "parse", "resolve", "lower", "verify", "report", "exit")
    assert set(e2e_stages.PASS_STAGE) == {p.name for p in pipeline.CHECK}
    timings = {"read": 1.0, "resolve": 0.5, "lower": 0.25, "wellformed": 0.25, "verify-tables": 2.0, "examples": 1.0}
    assert e2e_stages.stages_of([(timings, 0.75), ({"read": 0.5}, 0.25)]) == {
        "read": 0.5,
        "parse": 1.0,
        "resolve": 0.5,
        "lower": 0.5,
        "verify": 3.0,
    }


def test_write_block_replaces_only_its_block(tmp_path: Path) -> None:
    report = tmp_path / "REPORT.md"
    report.write_text("# head\n\nanalysis\n", encoding="utf-8")
    e2e.write_block(report, f"{e2e.BEGIN}\none\n{e2e.END}")
    e2e.write_block(report, f"{e2e.BEGIN}\ntwo\n{e2e.END}")
    text = report.read_text(encoding="utf-8")
    assert text.count(e2e.BEGIN) == 1 and "two" in text and "one" not in text
    assert text.startswith("# head\n\nanalysis\n")
