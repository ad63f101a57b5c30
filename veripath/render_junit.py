"""JUnit XML (valid against the junit-10.xsd that CI services read): one test case per check.

One test suite per spec file. Its test cases are named by stable identity
(`veripath.identity.check_name`): each decision's completeness (`g.triage.completeness`) and
consistency (`g.triage.consistency`), whether its rules can all apply (`g.triage.rules`), each
reachability check, each property (`g.property.p`) and each example (`g.example.TITLE`), each
with its time. Problems found before verification are the case `g.compile` (the file path where
no guideline was read), problems writing outputs `g.build`. An error fails its case; a warning,
or a finding in the baseline, is shown in the case's `system-out`; a waived finding makes its
case skipped, with the reason. Characters XML 1.0 cannot carry are written as escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dsl.codes import Stage
from dsl.escape import escape_text
from dsl.source import SourceFile
from veripath.findings import Finding, guideline_of
from veripath.identity import check_name
from veripath.pipeline import Report
from veripath.render_text import render_text

# What XML 1.0 forbids even as a character reference (after escape_text, only U+FFFE and U+FFFF remain).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(s: str, *, multiline: bool = False) -> str:
    """`s` safe for XML: control, bidi and other unsafe characters escaped (`\\u202e`); lines kept if `multiline`."""
    text = "\n".join(escape_text(line) for line in s.split("\n")) if multiline else escape_text(s)
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class _Case:
    name: str
    classname: str
    seconds: float = 0.0
    failures: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    shown: list[Finding] = field(default_factory=list)  # warnings and baselined findings

    def add(self, x: Finding) -> None:
        if x.waived is not None:
            self.waived.append(x)
        elif x.baselined or not x.diagnostic.is_error:
            self.shown.append(x)
        else:
            self.failures.append(x)


def _seconds(s: float) -> str:
    return f"{s:.3f}"


def render_junit(report: Report, found: Sequence[Finding], sources: Mapping[str, SourceFile]) -> str:
    suites = ET.Element("testsuites", name="veripath")
    by_file: dict[str | None, list[Finding]] = {}
    for x in found:
        by_file.setdefault(x.file, []).append(x)
    all_suites: list[tuple[str, str | None, list[_Case]]] = []
    for f in report.files:
        g = guideline_of(f)
        owner = g or f.path
        cases: dict[str, _Case] = {}

        def case(name: str, owner: str = owner, cases: dict[str, _Case] = cases) -> _Case:
            if name not in cases:
                cases[name] = _Case(name=name, classname=owner)
            return cases[name]

        case(f"{owner}.compile")
        check_case: dict[str, str] = {}
        for r in (*f.checks, *f.examples):
            name = check_name(r.check, g)[0]
            check_case[r.check] = name
            case(name).seconds += r.seconds
        if "export" in report.passes and "export" in f.timings:
            case(f"{owner}.build").seconds += f.timings["export"]
        for x in by_file.get(f.path, []):
            d = x.diagnostic
            ev = d.evidence
            if ev is not None and ev.check in check_case:
                name = check_case[ev.check]
            elif ev is not None and d.code.stage is Stage.VERIFY:
                name = check_name(ev.check, g)[0]
            elif d.code.stage is Stage.EXPORT:
                name = f"{owner}.build"
            else:
                name = f"{owner}.compile"
            case(name).add(x)
        all_suites.append((f.path, g, list(cases.values())))
    extra = by_file.get(None, [])
    if extra:
        inputs = _Case(name="veripath.inputs", classname="veripath")
        for x in extra:
            inputs.add(x)
        all_suites.append(("veripath", None, [inputs]))

    totals = [0, 0, 0]
    total_time = 0.0
    for path, g, cases_ in all_suites:
        failures = sum(1 for c in cases_ if c.failures)
        skipped = sum(1 for c in cases_ if c.waived and not c.failures)
        seconds = sum(c.seconds for c in cases_)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=xml_text(path),
            tests=str(len(cases_)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            time=_seconds(seconds),
            file=xml_text(path),
        )
        if g is not None:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="guideline", value=xml_text(g))
        for c in cases_:
            _case_element(suite, c, sources)
        totals[0] += len(cases_)
        totals[1] += failures
        totals[2] += skipped
        total_time += seconds
    suites.set("tests", str(totals[0]))
    suites.set("failures", str(totals[1]))
    suites.set("errors", "0")
    suites.set("time", _seconds(total_time))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _case_element(suite: ET.Element, c: _Case, sources: Mapping[str, SourceFile]) -> None:
    el = ET.SubElement(suite, "testcase", name=xml_text(c.name), classname=xml_text(c.classname))
    el.set("time", _seconds(c.seconds))
    for x in c.failures:
        d = x.diagnostic
        failure = ET.SubElement(el, "failure", type=d.code.code, message=xml_text(d.message))
        failure.text = xml_text(render_text(d, sources), multiline=True)
    if c.waived and not c.failures:
        reasons = "; ".join(f"{x.diagnostic.code.code}: {x.waived}" for x in c.waived)
        ET.SubElement(el, "skipped", message=xml_text(f"waived: {reasons}"))
    shown = [*c.shown, *(c.waived if c.failures else [])]
    if shown:
        out = ET.SubElement(el, "system-out")
        out.text = xml_text(
            "\n".join(render_text(x.diagnostic, sources, baselined=x.baselined) for x in shown), multiline=True
        )
