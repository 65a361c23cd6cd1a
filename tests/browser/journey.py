"""A user's journey through the pages in a real browser: signing in, and each step checked
with axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) at a desktop width and at 320 CSS pixels, for
sideways scrolling, and screenshotted to ``screenshots/`` (ignored by git) for a person to
look at. The fixtures that start the server, the worker and the browser are in conftest.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.cast import PASSWORD

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 320, "height": 640}
WIDTHS = [("desktop", DESKTOP), ("mobile-320", MOBILE)]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}


def log_in(page, base_url: str, username: str):
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# --- Checking each step: axe at two widths, reflow, screenshots -----------------------------

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                summary: n.failureSummary})),
  }));
}"""

# charts.js redraws each chart for a new window width (after a short pause); wait for it.
CHARTS_FIT = """() => [...document.querySelectorAll(".js-chart[data-drawn]")].every(
  (chart) => chart.getAttribute("data-drawn-width") === String(chart.clientWidth))"""

# Content wider than the window at 320 px means scrolling in two directions (WCAG 1.4.10),
# except inside a region that scrolls on its own (tables, which keep their columns). The
# elements sticking out are listed to say where to look.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) { continue; }
    if (element.closest("[tabindex='0'][role='region'], .results, .js-chart")) { continue; }
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.position === "fixed") { continue; }
    offenders.push(element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
      (element.className && typeof element.className === "string" ? "." +
        element.className.trim().split(/\\s+/).join(".") : "") + " right=" +
      Math.round(box.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders:
          offenders.slice(0, 8)};
}"""


@dataclass
class Journey:
    """One user's journey: numbered steps, each screenshotted and checked at both widths.

    Problems are collected, not raised at once, so one run reports every page's problems."""

    name: str
    page: object
    problems: list[str] = field(default_factory=list)
    step: int = 0

    def check(self, title: str, *, axe: bool = True):
        self.step += 1
        stem = f"{self.name}-{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}"
        page = self.page
        for label, size in WIDTHS:
            page.set_viewport_size(size)
            page.wait_for_function(CHARTS_FIT)
            folder = SCREENSHOTS / label
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{stem}.png", full_page=True)
            if label.startswith("mobile"):
                overflow = page.evaluate(OVERFLOW)
                if overflow["scrollWidth"] > overflow["width"]:
                    self.problems.append(
                        f"{stem} at {label}: page wider than the window "
                        f"({overflow['scrollWidth']} > {overflow['width']} px): "
                        f"{overflow['offenders']}"
                    )
            if axe:
                self._axe(stem, label)
        page.set_viewport_size(DESKTOP)
        page.wait_for_function(CHARTS_FIT)

    def _axe(self, stem: str, label: str):
        page = self.page
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        log = SCREENSHOTS / "axe.jsonl"
        with log.open("a", encoding="utf-8") as handle:
            record = {"step": stem, "width": label, "url": page.url, "violations": violations}
            handle.write(json.dumps(record) + "\n")
        for violation in violations:
            if violation["impact"] in FAILING_IMPACTS:
                nodes = "; ".join(
                    f"{node['target']} ({node['summary']})" for node in violation["nodes"][:5]
                )
                self.problems.append(
                    f"{stem} at {label}: axe {violation['impact']} {violation['id']} "
                    f"({violation['help']}): {nodes}"
                )

    def assert_no_problems(self):
        assert not self.problems, "\n".join(self.problems)
