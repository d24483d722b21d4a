"""Every report format on hand-built results: content, determinism, and the schemas they promise."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from cli_fakes import engines, lasso_trace, make_model, result, violation_trace

from checker.report import dot, json_report, junit, mermaid, sarif, text
from checker.report.steps import view
from checker.report.swimlane import TraceStyle, render_trace, swimlane
from checker.result import StopReason, Verdict
from checker.run import EngineChoice, RunOptions, RunResult, run

REPO = Path(__file__).resolve().parents[2]
OUTPUT_SCHEMA = REPO / "docs" / "output.schema.json"
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def mixed_run(engine: EngineChoice = EngineChoice.EXPLICIT) -> RunResult:
    """An expected violation, an unexpected lasso, an incomplete result."""
    m1 = make_model((("patched", 0, "false"),), expect=["safe"])
    m2 = make_model((("patched", 1, "true"),))
    p = {q.name: q for q in m1.properties}
    e = engines(
        explicit={
            "safe": result(p["safe"], Verdict.VIOLATED, trace=violation_trace(), detail="assertion failed"),
            "progress": result(p["progress"], Verdict.VIOLATED, trace=lasso_trace()),
            "bounded": result(p["bounded"], Verdict.INCOMPLETE, reason=StopReason.MAX_STATES),
        }
    )
    return run("specs/fake.mig", [m1, m2], RunOptions(engine=engine), e)


# ---------------------------------------------------------------- text


def test_table_marks_and_summary() -> None:
    out = text.render(mixed_run(), text.TextOptions(timing=False))
    assert "VIOLATED (expected)" in out  # safe in patched=false
    assert "! VIOLATED (expected holds)" in out  # safe in patched=true, and progress
    assert "INCOMPLETE (max-states)" in out
    assert "10 results in 2 configurations: 5 as expected, 3 differ from expectation, 2 incomplete" in out
    assert "\nexit 1: 3 results differ from expectation: progress [patched=false]" in out


def test_no_timing_is_deterministic_and_timeless() -> None:
    a = text.render(mixed_run(), text.TextOptions(timing=False))
    b = text.render(mixed_run(), text.TextOptions(timing=False))
    assert a == b
    assert "time" not in a.splitlines()[2]
    timed = text.render(mixed_run(), text.TextOptions(timing=True))
    assert "time" in timed.splitlines()[2]


def test_ascii_output_is_ascii_and_fits_100_columns() -> None:
    out = text.render(mixed_run(), text.TextOptions(timing=False, ascii_only=True))
    assert out.isascii()
    assert max(len(line) for line in out.splitlines()) <= 100


def test_traces_printed_for_violations_only_unless_witnesses() -> None:
    out = text.render(mixed_run(), text.TextOptions(timing=False))
    assert "safe [patched=false]: VIOLATED (as expected), counterexample of 3 steps (explicit engine)" in out
    assert "progress [patched=false]: VIOLATED (UNEXPECTED, expected holds), lasso counterexample" in out
    assert "witness" not in out
    with_witnesses = text.render(mixed_run(), text.TextOptions(timing=False, witnesses=True))
    assert "done [patched=true]: REACHED (as expected), witness of 1 step" in with_witnesses
    quiet = text.render(mixed_run(), text.TextOptions(timing=False, quiet=True))
    assert "safe [patched=false]" not in quiet and "progress [patched=false]" in quiet


def test_swimlane_content() -> None:
    lines = swimlane(view(make_model(), violation_trace()))
    assert lines is not None
    body = "\n".join(lines)
    header = lines[1]
    assert "P[0]" in header and "Q" in header and "P[1]" not in header  # only processes that act
    assert "initial state: x = 0, busy = false, l = -, mode = OFF" in body
    assert "l: - -> P[0]" in body and "mode: OFF -> ON" in body
    assert "fake.mig:7" in body and "mm/migrate.c:984" in body
    assert "✗ step 3 fails: assertion failed: x stays below 2" in body
    # the statement sits in its process's column
    row = next(line for line in lines if "mode = ON" in line)
    assert row.index("mode = ON") > header.index("Q") - 2


def test_lasso_marks_cycle() -> None:
    body = "\n".join(render_trace(view(make_model(), lasso_trace()), TraceStyle.SWIMLANE))
    assert "cycle starts here: step 2 repeats forever" in body
    assert "back to the state after step 1" in body
    listed = render_trace(view(make_model(), lasso_trace()), TraceStyle.LIST)
    assert listed[3] == "--- cycle starts here: step 2 repeats forever ---"


def test_too_narrow_swimlane_falls_back_to_list() -> None:
    v = view(make_model(), violation_trace())
    assert swimlane(v, width=40) is None
    assert render_trace(v, TraceStyle.SWIMLANE, width=40) == render_trace(v, TraceStyle.LIST, width=40)


def test_list_style() -> None:
    lines = render_trace(view(make_model(), violation_trace()), TraceStyle.LIST, ascii_only=True)
    assert lines[1] == "   1  P[0]  lock(l)   [fake.mig:7, mm/migrate.c:984]"
    assert lines[2].strip() == "l: - -> P[0]"
    assert lines[-1] == "X step 3 fails: assertion failed: x stays below 2"


def test_disagreement_prints_both_answers_and_trace() -> None:
    m = make_model()
    p = m.properties[0]
    e = engines(explicit={"safe": result(p, Verdict.VIOLATED, trace=violation_trace())})
    r = run("f.mig", [m], RunOptions(engine=EngineChoice.BOTH), e)
    out = text.render(r, text.TextOptions(timing=False))
    assert "!! VIOLATED + PROVED" in out
    assert "engines disagree: explicit says VIOLATED, symbolic says PROVED" in out
    assert "ENGINES DISAGREE" in out and "✗ step 3 fails" in out
    assert "exit 70" in out


def test_show_invariant_one_conjunct_a_line() -> None:
    from checker.run import Command

    r = run("f.mig", [make_model()], RunOptions(command=Command.PROVE), engines())
    out = text.render(r, text.TextOptions(timing=False, show_invariant=True))
    assert "\n    x <= 3\n    !busy\n" in out
    # the target is not attempted; liveness expected to hold is (k-liveness)
    assert "; 1 not attempted (reachability targets" in out
    assert "progress" in out


# ---------------------------------------------------------------- machine formats


def test_json_matches_schema_and_issue_fields() -> None:
    schema = json.loads(OUTPUT_SCHEMA.read_text())
    for engine in EngineChoice:
        doc = json.loads(json_report.render(mixed_run(engine), timing=True))
        jsonschema.validate(doc, schema)
    doc = json.loads(json_report.render(mixed_run(), timing=False))
    jsonschema.validate(doc, schema)
    assert "seconds" not in doc and doc["exit_code"] == 1 and doc["spec"] == "specs/fake.mig"
    first = doc["results"][0]
    assert first["config"] == {"patched": False}
    assert (first["property"], first["kind"], first["verdict"], first["expected"]) == (
        "safe",
        "assertion",
        "VIOLATED",
        "violated",
    )
    assert first["trace"][0] == {
        "step": 1,
        "process": "P[0]",
        "statement": "lock(l)",
        "file": "specs/fake.mig",
        "line": 7,
        "kernel_ref": "mm/migrate.c:984",
        "changes": {"l": "P[0]"},
    }
    assert first["trace"][2]["failed_check"]["message"] == "assertion failed: x stays below 2"
    itf = first["itf"]
    assert itf["#meta"]["format"] == "ITF" and len(itf["states"]) == 3
    assert itf["states"][1]["l"] == "P[0]" and itf["states"][0]["busy"] is False
    assert itf["states"][0]["x"] == {"#bigint": "0"}
    assert itf["states"][0]["grid"] == {
        "#map": [[{"#tup": [{"#bigint": "0"}, {"#bigint": "1"}]}, {"#bigint": "0"}]]
    }
    lasso = next(r for r in doc["results"] if r["property"] == "progress")
    assert lasso["loop_start"] == 1 and lasso["itf"]["loop"] == 1


def test_junit_counts() -> None:
    root = ET.fromstring(junit.render(mixed_run(), timing=False))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == (
        "10",
        "3",
        "2",
        "0",
    )
    assert root.get("time") is None
    failing = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert {(c.get("classname"), c.get("name")) for c in failing} == {
        ("fake.mig[patched=true]", "safe"),
        ("fake.mig[patched=false]", "progress"),
        ("fake.mig[patched=true]", "progress"),
    }
    safe = next(c for c in failing if c.get("name") == "safe")
    assert "X step 3 fails" in (safe.findtext("failure") or "")


def test_sarif_validates_and_locates() -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    doc = json.loads(sarif.render(mixed_run()))
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    results = doc["runs"][0]["results"]
    unexpected = [r for r in results if r["level"] == "error"]
    assert len(unexpected) == 3
    safe = next(r for r in unexpected if r["ruleId"] == "safe")
    assert safe["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    flows = safe["codeFlows"][0]["threadFlows"]
    assert [f["id"] for f in flows] == ["P[0]", "Q"]
    assert [loc["executionOrder"] for loc in flows[0]["locations"]] == [1, 3]


def test_dot_of_traces_renders() -> None:
    text_ = dot.traces_dot(mixed_run())
    assert text_.startswith("digraph modelcheck {") and "cluster_0" in text_
    assert "constraint=false" in text_  # the lasso's back edge
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg"], input=text_, capture_output=True, text=True, check=True).stdout
        assert "<svg" in svg


def test_dot_quotes_untrusted_text() -> None:
    assert dot.quote('say "hi"\\') == '"say \\"hi\\"\\\\\\l"'


def test_state_graph_dot_from_the_explicit_engine() -> None:
    from checker.explicit import ExplicitOptions, state_graph

    m = make_model()
    g = state_graph(m, ExplicitOptions())
    out = dot.state_graph_dot(m, g, "fake")
    assert out.count(" -> ") == g.number_of_edges() and "peripheries=2" in out
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=True)


def test_mermaid_sequence() -> None:
    out = mermaid.render(mixed_run())
    assert out.count("```mermaid") == 6  # 2 violations + 1 lasso ... + witnesses of `done` in both configs
    assert "p0->>state: 1. lock(l) [fake.mig:7, mm/migrate.c:984]" in out
    assert "    loop cycle: repeats forever\n        p0->>state: 2. x = x + 1 [fake.mig:8]\n    end" in out
    assert "Note over p0: fails: assertion failed: x stays below 2" in out


def test_three_busy_processes_fall_back_to_list_unless_wide() -> None:
    import dataclasses

    from checker.result import Trace

    m = make_model()
    long = "atomic { lock(tree_lock); expected = 2 + page_has_private(page); }"
    m = dataclasses.replace(m, transitions=tuple(dataclasses.replace(t, text=long) for t in m.transitions))
    s0 = (0, 0, 0, 0, 0, 0, 0, 0)
    trace = Trace((s0, s0, s0, s0), (0, 3, 6))  # P[0], P[1], Q each take a step
    v = view(m, trace)
    # NOTE(swimlane-fit): `#` (1) + 3 process columns of 16 + `changes` (7) + source (16) + borders (19)
    assert swimlane(v, width=90) is None and swimlane(v, width=91) is not None
    assert render_trace(v, TraceStyle.SWIMLANE, width=90) == render_trace(v, TraceStyle.LIST)
    assert swimlane(v, width=100) is not None
    wide = swimlane(v, width=140)
    assert wide is not None and max(len(line) for line in wide) <= 140
    assert "P[0]" in wide[1] and "P[1]" in wide[1] and "Q" in wide[1]


def test_control_characters_never_reach_the_output() -> None:
    # NOTE(untrusted-text): a statement carrying a terminal escape.
    import dataclasses
    import re

    m = make_model(expect=["safe"])
    evil = "x = 1 \x1b[2J\x00"
    m = dataclasses.replace(m, transitions=tuple(dataclasses.replace(t, text=evil) for t in m.transitions))
    p = m.properties[0]
    r = run(
        "f.mig",
        [m],
        RunOptions(),
        engines(explicit={"safe": result(p, Verdict.VIOLATED, trace=violation_trace())}),
    )
    raw = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
    outputs = {
        "text": text.render(r, text.TextOptions(timing=False)),
        "list": text.render(r, text.TextOptions(timing=False, trace_style=TraceStyle.LIST)),
        "junit": junit.render(r, timing=False),
        "mermaid": mermaid.render(r),
        "dot": dot.traces_dot(r),
        "json": json_report.render(r, timing=False),
        "sarif": sarif.render(r),
    }
    for name, out in outputs.items():
        assert not raw.search(out), name
    assert "x = 1 \\x1b[2J\\x00" in outputs["text"]
    ET.fromstring(outputs["junit"])  # still well-formed XML


def test_output_schema_is_a_valid_json_schema() -> None:
    schema = json.loads(OUTPUT_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    # the schema pins the names CI scripts read (issue #3)
    required = set(schema["$defs"]["result"]["required"])
    assert {
        "config",
        "property",
        "kind",
        "verdict",
        "expected",
        "states",
        "transitions",
        "depth",
        "trace",
    } <= required
    assert {"process", "statement", "line", "file", "kernel_ref", "changes"} <= set(
        schema["$defs"]["step"]["required"]
    )
    assert {"version", "spec", "exit_code", "results"} <= set(schema["required"])
