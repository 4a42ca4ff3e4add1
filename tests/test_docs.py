"""The docs run: every ``>>>`` example in docs/*.md and in convo's docstrings, and docs/rules.md
matches the rule catalogue (``convo.RULES``) code for code."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest

import convo

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RULES_MD = DOCS / "rules.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

DOC_PAGES = sorted(DOCS.glob("*.md"))
REQUIRED_PAGES = ("index.md", "rules.md", "conversations.md", "cli.md", "exceptions.md", "models.md")

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
ABBREVIATED = frozenset(
    {
        "image-too-large",
        "images-too-many",
        "many-images-too-large",
        "messages-too-many",
        "pdf-pages-too-many",
        "request-too-large",
    }
)
"""Codes whose rules.md example is too big to show whole; tests/test_rules.py triggers them."""


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(convo.__path__, "convo."):
        if info.name == "convo.__main__":  # running it exits the interpreter
            continue
        if info.name.startswith("convo.testing") and importlib.util.find_spec("hypothesis") is None:
            continue
        names.append(info.name)
    return ["convo", *sorted(names)]


# --- the examples run -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: p.name)
def test_doc_examples_run(page: Path) -> None:
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, encoding="utf-8")
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {page.name}"
    if "```python" in page.read_text(encoding="utf-8"):
        assert result.attempted > 0


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: p.name)
def test_python_fences_are_doctests(page: Path) -> None:
    """A ```python block that is not a ``>>>`` session would never run: forbid it."""
    for lang, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if lang == "python":
            assert body.lstrip().startswith(">>>"), f"{page.name}: a python example is not a >>> session"


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def _facade_examples() -> str:
    """The source of every ``>>>`` example in the ``convo`` package docstring."""
    return "\n".join(e.source for e in doctest.DocTestParser().get_examples(convo.__doc__ or ""))


def test_public_names_have_docstring_examples() -> None:
    """Every name in ``convo.__all__`` has a runnable example in its own docstring.

    A value that cannot carry a docstring of its own (``RULES`` is a dict, ``Block`` a union
    alias: their ``__doc__`` is their type's) is documented where it is defined and must be
    used, as ``convo.<name>``, in an example of the ``convo`` package docstring instead.
    The examples themselves run in :func:`test_docstring_examples_run`.
    """
    parser = doctest.DocTestParser()
    facade = _facade_examples()
    assert parser.get_examples(convo.__doc__ or "")
    missing = []
    for name in convo.__all__:
        obj = getattr(convo, name)
        if inspect.isclass(obj) or inspect.isroutine(obj):
            if not parser.get_examples(inspect.getdoc(obj) or ""):
                missing.append(name)
            continue
        assert getattr(obj, "__doc__", None) == type(obj).__doc__, f"{name} has a docstring of its own"
        if not re.search(rf"\bconvo\.{re.escape(name)}\b", facade):
            missing.append(name)
    assert not missing, f"public names without a >>> example in their docstring: {missing}"


def test_public_examples_are_collected() -> None:
    """Each public class or function is defined where test_docstring_examples_run finds its examples."""
    modules = set(_modules())
    for name in convo.__all__:
        obj = getattr(convo, name)
        if inspect.isclass(obj) or inspect.isroutine(obj):
            assert obj.__module__ in modules, f"{name}: examples in {obj.__module__} are not run"
            found = doctest.DocTestFinder().find(importlib.import_module(obj.__module__))
            assert any(t.name.endswith(f".{obj.__qualname__}") and t.examples for t in found), name


# --- rules.md and RULES ---------------------------------------------------------------------------


def _rule_sections() -> dict[str, str]:
    """``### code`` heading -> the text of its section."""
    text = RULES_MD.read_text(encoding="utf-8")
    sections: dict[str, str] = {}
    for part in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        body = re.split(r"^#{1,3} ", body, flags=re.M)[0]
        sections[heading.strip()] = body
    return sections


def test_every_rule_is_documented() -> None:
    documented = set(_rule_sections())
    missing = sorted(set(convo.RULES) - documented)
    assert not missing, f"codes without a '### code' heading in docs/rules.md: {missing}"


def test_no_heading_names_an_unknown_code() -> None:
    unknown = sorted(set(_rule_sections()) - set(convo.RULES))
    assert not unknown, f"docs/rules.md documents codes that convo.RULES does not have: {unknown}"


def _code_table() -> str:
    """docs/rules.md's table of every code, in the order of their sections."""
    headings = re.findall(r"^### (.*?)\s*$", RULES_MD.read_text(encoding="utf-8"), flags=re.M)
    rows = ["| code | severity | scope | what it means |", "|---|---|---|---|"]
    for code in headings:
        rule = convo.RULES[code]
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| [`{code}`](#{code}) | {rule.severity} | {rule.scope} | {summary} |")
    return "\n".join(rows) + "\n"


def test_the_table_of_codes_matches_the_rules() -> None:
    """docs/rules.md lists every code in one table, which says what convo.RULES says."""
    table = _code_table()
    assert table in RULES_MD.read_text(encoding="utf-8"), f"replace the table of codes with:\n{table}"


def test_each_code_is_documented_once() -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.*?)\s*$", text, flags=re.M)
    assert len(headings) == len(set(headings))


@pytest.mark.parametrize("code", sorted(convo.RULES))
def test_rule_section_states_severity_scope_and_fix(code: str) -> None:
    section = _rule_sections()[code]
    rule = convo.RULES[code]
    assert f"**Severity:** {rule.severity}." in section
    assert f"**Scope:** {rule.scope}." in section
    assert "**Fix:**" in section
    assert re.search(r"^```(json|text)\n", section, re.M), f"{code}: no example"


@pytest.mark.parametrize("code", sorted(convo.RULES))
def test_rule_example_reports_its_code(code: str) -> None:
    """Each ```json example in rules.md, read by convo.check, reports the code it illustrates.

    Sections whose example cannot be shown whole (10 MB images, 100,001 messages) use a
    ```text fence instead; tests/test_rules.py covers those codes.
    """
    examples = FENCE.findall(_rule_sections()[code])
    fences = [body for lang, body in examples if lang == "json"]
    if code == "input-unreadable":  # its example is deliberately not JSON
        fences = [body for lang, body in examples if lang == "text"]
    elif not fences:
        assert code in ABBREVIATED, f"{code}: give it a ```json example, or list it in ABBREVIATED"
        return
    else:
        json.loads(fences[0])  # the example is real JSON
    data = fences[0].encode()
    codes = [p.code for p in convo.check(data).problems]
    assert code in codes, f"{code}: its example reports {codes}"


# --- links ----------------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(h) for _, h in HEADING.findall(page.read_text(encoding="utf-8"))}


def test_index_links_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {target.split("#")[0] for target in LINK.findall(index)}
    expected = {p.name for p in DOC_PAGES if p.name != "index.md"} | {
        "models.md",
        "rules.md",
        "benchmarks.md",
    }
    assert expected <= linked, f"docs/index.md does not link {sorted(expected - linked)}"


def test_readme_links_every_page() -> None:
    """README.md's list of docs names every page, so a reader who starts there finds them all."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {target.split("#")[0] for target in LINK.findall(readme)}
    missing = sorted(f"docs/{p.name}" for p in DOC_PAGES if f"docs/{p.name}" not in linked)
    assert not missing, f"README.md does not link {missing}"


def test_required_pages_exist() -> None:
    for name in REQUIRED_PAGES:
        assert (DOCS / name).is_file(), name


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOC_PAGES], ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if not dest.exists():
            pytest.fail(f"{page.name}: broken link {target}")
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{page.name}: no heading for #{anchor} in {dest.name}"


def test_every_public_name_is_documented() -> None:
    """Each name ``convo`` exports is named in docs/ (a test keeps a new one from going unsaid)."""
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOC_PAGES)
    missing = [n for n in convo.__all__ if not re.search(rf"(?:`|convo\.){re.escape(n)}\b", text)]
    assert not missing, f"not named in docs/: {missing}"
    if importlib.util.find_spec("hypothesis") is not None:
        testing = importlib.import_module("convo.testing")
        assert all(f"convo.testing.{n}" in text for n in testing.__all__)


# --- budgets.md: the shell example is real output -------------------------------------------------


def test_budgets_md_shell_example_matches_real_output(tmp_path: Path) -> None:
    """The ``$ convo ...`` lines of budgets.md, run on the agent loop its ``loop.json`` names,
    print on stderr what the page shows."""
    import os
    import subprocess
    import sys

    from tests.test_cli_tokens import tool_loop

    tool_loop(tmp_path)
    text = (DOCS / "budgets.md").read_text(encoding="utf-8")
    [fence] = [body for lang, body in FENCE.findall(text) if lang == "sh"]
    lines = fence.splitlines()
    commands = [(n, line[2:].split()) for n, line in enumerate(lines) if line.startswith("$ convo ")]
    assert commands
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for n, argv in commands:
        done = subprocess.run(
            [sys.executable, "-m", "convo", *argv[1:]], capture_output=True, text=True, cwd=tmp_path, env=env
        )
        assert done.stderr == lines[n + 1] + "\n", f"budgets.md: `{' '.join(argv)}` prints {done.stderr}"


# --- README.md: the Python snippets run -----------------------------------------------------------


def _readme_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == "python"]


def test_readme_snippets_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README.md's quickstart runs as written: the first snippet on the bundled example as its
    ``history.json``, the agent loop against a scripted API (a tool call, a server tool's
    pause, the answer), the property test on a store that keeps the wire bytes."""
    pytest.importorskip("anthropic")
    pytest.importorskip("hypothesis")
    from tests.test_sdk import Recorder, message

    quickstart, loop, props = _readme_snippets()
    (tmp_path / "history.json").write_bytes((ROOT / "convo" / "examples" / "incident.json").read_bytes())
    monkeypatch.chdir(tmp_path)
    exec(quickstart, {})
    printed = capsys.readouterr().out
    assert printed == "".join(
        line.split("# ", 1)[1] + "\n" for line in quickstart.splitlines() if line.startswith("# ")
    )

    weather = {"name": "get_weather", "input_schema": {"type": "object"}}
    api = Recorder(
        [
            message([{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}], "tool_use"),
            message(
                [
                    {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
                    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                ],
                "pause_turn",
            ),
            message([{"type": "text", "text": "Sunny."}], "end_turn"),
        ]
    )
    client = api.client()
    monkeypatch.setattr("anthropic.Anthropic", lambda: client)
    scope = {"WEATHER_TOOL": weather, "run_tool": lambda name, arguments: "sunny"}
    exec(loop, scope)
    assert api.answers == [] and len(scope["conv"].messages) == 5

    store = type(
        "Store",
        (),
        {
            "save": staticmethod(convo.Conversation.to_json),
            "load": staticmethod(convo.Conversation.from_wire),
        },
    )
    scope = {"my_store": store}
    exec(props, scope)
    scope["test_my_store_round_trips"]()


def test_models_md_names_every_field_with_a_default() -> None:
    """The paragraph of models.md on defaults names each ``ModelProfile`` field that has one, and
    says how many there are."""
    import attrs

    text = (DOCS / "models.md").read_text(encoding="utf-8")
    [paragraph] = re.findall(r"^\w+ of them have defaults.*?\n\n", text, re.M | re.S)
    defaulted = [f.name for f in attrs.fields(convo.ModelProfile) if f.default is not attrs.NOTHING]
    assert [name for name in defaulted if f"`{name}`" not in paragraph] == []
    numbers = ("Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")
    assert paragraph.startswith(f"{numbers[len(defaulted) - 2]} of them"), paragraph[:30]
