"""docs/codes.md, generated from the registry (`dsl.codes.CODES`); a test keeps it current.

Regenerate with `python -m veripath.codes_doc > docs/codes.md`. Each code has its own
section with the anchor `#vp301`, which SARIF rules link to (`helpUri`).
"""

from __future__ import annotations

from dsl.codes import CODES, Code

HEADER = """# Diagnostic codes

Every diagnostic veripath reports has a stable code, registered in `dsl/codes.py`; a code is
never reused. The hundreds say the stage: 1 reading and syntax, 2 names, types and
well-formedness, 3 verification findings, 4 writing outputs. `veripath explain-code CODE`
prints the same text as this page. This file is generated from the registry
(`python -m veripath.codes_doc > docs/codes.md`); do not edit it by hand.

| code | slug | default severity | summary |
|---|---|---|---|
"""


def _section(c: Code) -> str:
    out = [f'<a id="{c.code.lower()}"></a>', "", f"## {c.code}", ""]
    out += [f"`{c.slug}` · default severity **{c.severity.value}** · stage {c.stage.value}", ""]
    out += [c.summary, "", c.explanation, ""]
    if c.example:
        out += ["Example (`example.vp`):", "", "```", c.example.rstrip("\n"), "```", ""]
    out += [f"**Fix:** {c.fix}", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_codes_md() -> str:
    table = "".join(
        f"| [{c.code}](#{c.code.lower()}) | `{c.slug}` | {c.severity.value} | {_cell(c.summary)} |\n"
        for c in (CODES[k] for k in sorted(CODES))
    )
    return HEADER + table + "\n" + "\n".join(_section(CODES[k]) for k in sorted(CODES))


if __name__ == "__main__":
    print(render_codes_md(), end="")
