"""``--format html``: self-contained, escaped, and laid out legibly in a real browser.

The browser is headless Chromium (Debian's ``chromium``; ``tests/run.sh`` installs it when it is
missing and it runs as root; without it the browser tests skip). Every capture's report is
loaded, as written, into one browser driven over the DevTools protocol (``browser.py``), and
the layout the browser computed is read back: every SVG drawn at its own size, no ladder text
under 11 px, outside its ladder or over another, no text under 11 px anywhere, no table wider
than the window. One report also goes through the plain command line: ``--dump-dom`` (the
page as parsed), ``--screenshot`` (the README's picture) and ``--print-to-pdf``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from conftest import CAPTURES, REPO

from ikepcap.report import html as html_report
from report.browser import BINARY as BROWSER
from report.browser import FLAGS, Browser
from report.conftest import diagnose

needs_browser = pytest.mark.skipif(BROWSER is None, reason="headless Chromium is not installed")
WINDOW = (1100, 1400)
SCREENSHOT = REPO / "docs" / "html-report.png"

# Evaluated beside each page (the page itself has no script, and its CSP allows none)
MEASURE = """(() => {
const out = {svgs: [], tables: [], minFont: 1e9};
out.viewport = document.documentElement.clientWidth;
out.scrollWidth = document.documentElement.scrollWidth;
document.querySelectorAll("svg").forEach((svg) => {
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll("text")].map((t) => {
    const b = t.getBoundingClientRect();
    return {size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a, cls: t.getAttribute("class"),
            x: b.left, y: b.top, w: b.width, h: b.height, text: t.textContent};
  });
  out.svgs.push({width: box.width, attr: parseFloat(svg.getAttribute("width")), left: box.left, right: box.right,
                 texts: texts});
});
document.querySelectorAll("table").forEach((table) => {
  const box = table.getBoundingClientRect();
  const cells = [...table.querySelectorAll("td, th")].map((c) => c.getBoundingClientRect());
  out.tables.push({right: box.right, rows: table.rows.length,
                   emptyCells: cells.filter((c) => c.width < 8 || c.height < 8).length});
});
document.body.querySelectorAll("*").forEach((e) => {
  if ([...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length)
    out.minFont = Math.min(out.minFont, parseFloat(getComputedStyle(e).fontSize));
});
out.scripts = document.scripts.length;
return out;
})()"""


def browse(page: Path, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                                capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and \
        a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5


def check_layout(name: str, layout: dict) -> list[str]:
    problems = []
    if layout["scrollWidth"] > layout["viewport"]:
        problems.append(f"{name}: the page is {layout['scrollWidth']} px wide in a {layout['viewport']} px window")
    if layout["minFont"] < 11:
        problems.append(f"{name}: text at {layout['minFont']} px")
    for svg in layout["svgs"]:
        if abs(svg["width"] - svg["attr"]) > 0.5:
            problems.append(f"{name}: a ladder drawn at {svg['width']} px instead of {svg['attr']} px")
        for i, text in enumerate(svg["texts"]):
            if text["size"] < 11:
                problems.append(f"{name}: ladder text {text['text']!r} at {text['size']:.1f} px")
            if text["x"] < svg["left"] - 0.5 or text["x"] + text["w"] > svg["right"] + 0.5:
                problems.append(f"{name}: ladder text {text['text']!r} leaves the ladder")
            problems += [f"{name}: {text['text']!r} overlaps {other['text']!r}"
                         for other in svg["texts"][i + 1:] if _overlap(text, other)]
    for table in layout["tables"]:
        if table["right"] > layout["viewport"]:
            problems.append(f"{name}: a table of {table['rows']} rows overflows the window")
        if table["emptyCells"]:
            problems.append(f"{name}: a table has {table['emptyCells']} collapsed cells")
    return problems


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct bytes in the image data (a blank page has few)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    chunks, offset = [], 8
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 4], "big")
        if data[offset + 4:offset + 8] == b"IDAT":
            chunks.append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    return width, height, len(set(zlib.decompress(b"".join(chunks))))


# -- without a browser ----------------------------------------------------------------------------

def test_every_report_is_self_contained(views):
    for path, view in views.items():
        page = html_report.render(view)
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"), path
        assert "<script" not in page and "src=" not in page and "@import" not in page, path
        assert re.findall(r"https?://[^\s\"'<]+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg"), path
        assert "default-src 'none'" in page
        sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', page)]
        assert all(size >= 11 for size in sizes), path
        problems = [sa for sa in view["sas"] if sa["status"] == "problem"]
        assert page.count('<section class="sa"') == len(html_report.group_problem_sas(view)), path
        assert (page.count("<svg") > 0) == any(sa["messages"] for sa in problems), path


_FIXED = {"status", "severity", "sender", "outcome", "resend"}       # the report's own vocabulary
HOSTILE = '<img src=x onerror=alert(1)>"\'&\u202e\x1b[31m'


def _poison(value, key=None):
    if isinstance(value, str) and key not in _FIXED:
        return value + HOSTILE
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    return value


def test_every_wire_string_is_escaped(views):
    for path in (CAPTURES / "asa-mm-wait-msg4-reproduction.pcap", CAPTURES / "v1-concentrator-many-sas.pcap"):
        page = html_report.render(_poison(views[path]), verbose=True)
        assert "<img" not in page and "\u202e" not in page and "\x1b" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;&quot;&#x27;&amp;\\u202e\\x1b[31m" in page


def test_long_sas_fold_their_resends_and_runs():
    ladder = html_report.ladder_svg
    message = {"file": "f", "time": 0.0, "sender": "initiator", "name": "Informational", "length": 92,
               "encrypted": True, "decrypted": False, "notify": [], "copy_of_frame": None, "copy": 1}
    resends = [dict(message, frame=1, name="MM3")] + [
        dict(message, frame=n, name="MM3", copy=n, copy_of_frame=1, time=float(n)) for n in range(2, 6)]
    sa = {"initiator": {"address": "192.0.2.1"}, "responder": {"address": "198.51.100.2"}, "findings": [],
          "messages": resends + [dict(message, frame=n, time=float(n)) for n in range(6, 500)]}
    svg = ladder(sa)
    assert svg.count("<polygon") == 2                      # MM3 sent 5×, then one row of 494 DPD-like messages
    assert "MM3 · sent 5× · 92 B · encrypted" in svg and "Informational · ×494 · 92 B · encrypted" in svg
    distinct = [dict(message, frame=n, name=f"message {n}", time=float(n)) for n in range(1, 200)]
    svg = ladder(dict(sa, messages=distinct))
    assert svg.count("<polygon") == html_report.HEAD_ROWS + html_report.TAIL_ROWS
    assert "… 144 more message(s), frames 41 to 184 …" in svg
    assert int(re.search(r'height="(\d+)"', svg).group(1)) < 2600


def test_the_cli_writes_html_with_file_digests(tmp_path):
    out = tmp_path / "report.html"
    code, _ = diagnose("--format", "html", "-o", str(out), str(CAPTURES / "asa-mm-wait-msg4-reproduction.pcap"))
    page = out.read_text(encoding="utf-8")
    assert code == 1 and "SHA-256" in page and "MM_WAIT_MSG4" in page
    assert "isakmp.ispi == c205f30d14beada5 &amp;&amp; frame.number in {3, 4, 5, 6}" in page
    assert "<details><summary" in page and "@media print" in page


# -- in the browser -------------------------------------------------------------------------------

@needs_browser
def test_every_capture_in_the_browser(views, tmp_path):
    browser = Browser(*WINDOW)
    layouts = []
    try:
        for path, view in views.items():
            page = tmp_path / (path.name + ".html")
            page.write_text(html_report.render(view), encoding="utf-8")
            browser.open(page)
            layouts.append((page.name, browser.evaluate(MEASURE)))
    finally:
        browser.close()
    problems = [p for name, layout in layouts for p in check_layout(name, layout)]
    assert not problems, problems
    assert all(layout["scripts"] == 0 for _, layout in layouts)
    drawn = [len(svg["texts"]) for _, layout in layouts for svg in layout["svgs"]]
    assert len(drawn) >= 25 and min(drawn) >= 8
    assert sum(len(layout["tables"]) for _, layout in layouts) >= 4 * len(layouts)


@needs_browser
def test_the_page_as_chromium_parses_and_draws_it(tmp_path):
    """The page without any script: Chromium keeps its SVG and tables as written, and draws it."""
    page = tmp_path / "asa.html"
    # as a user makes it (the README's picture): from the repository, with the file's SHA-256
    subprocess.run([sys.executable, "-m", "ikepcap", "diagnose", "-f", "html", "-o", str(page),
                    "captures/asa-mm-wait-msg4-reproduction.pcap"], cwd=REPO, check=False, capture_output=True)
    assert "SHA-256</th><td><code>" in page.read_text(encoding="utf-8")
    dom = browse(page, "--dump-dom")
    written = page.read_text(encoding="utf-8")
    assert dom.count("<svg") == written.count("<svg") == 1 and "<script" not in dom
    assert dom.count("<table") == written.count("<table") == 7 and dom.count("<td") == written.count("<td")
    assert 'font-size="13" text-anchor="middle" fill="#b00020"' in dom          # the INVALID_COOKIE row
    shot = tmp_path / "asa.png"
    browse(page, f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}")
    width, height, colours = _png_size_and_colours(shot)
    assert (width, height) == WINDOW and colours > 64
    pdf = tmp_path / "asa.pdf"
    browse(page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")        # the print styles, on A4/Letter
    document = pdf.read_bytes()
    assert document.startswith(b"%PDF-") and 2 <= len(re.findall(rb"/Type\s*/Page\b", document)) <= 8
    if os.environ.get("IKEPCAP_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_the_readme_shows_the_screenshot_the_test_takes():
    assert f"]({SCREENSHOT.relative_to(REPO)})" in (REPO / "README.md").read_text(encoding="utf-8")
    width, height, _ = _png_size_and_colours(SCREENSHOT)
    assert (width, height) == WINDOW and SCREENSHOT.stat().st_size < 400_000
