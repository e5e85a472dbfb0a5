"""Layout checks on a console page in Chromium: nothing wider than the viewport, no text on top
of other text, and the full-page screenshot as wide as the viewport."""
from __future__ import annotations

import os
import struct
from pathlib import Path

DESKTOP = {"width": 1440, "height": 900}

OUTSIDE = """() => [...document.querySelectorAll('body *')].filter((e) => {
  const r = e.getBoundingClientRect();
  if (!r.width || !r.height || !e.checkVisibility() || getComputedStyle(e).position === 'fixed' || e.closest('.skip')) return false;
  return r.right > window.innerWidth + 0.5 || r.left < -0.5;
}).map((e) => `${e.tagName}#${e.id}.${e.className} ${(e.textContent || '').slice(0, 40)}`)"""

# text-bearing leaves (no element child holding text): any two that intersect overlap on screen
OVERLAP = """() => {
  const leaves = [...document.querySelectorAll('#view *, header *')].filter((e) => e.checkVisibility()
    && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  const boxes = leaves.map((e) => {
    const range = document.createRange(); range.selectNodeContents(e);
    return [e, [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1)];
  });
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    if (ra.some((x) => rb.some((y) => hit(x, y)))) out.push(`${a.tagName} "${a.textContent.trim().slice(0, 30)}" / ${b.tagName} "${b.textContent.trim().slice(0, 30)}"`);
  }
  return out;
}"""


def check_layout(page, viewport: dict, name: str) -> None:
    """Screenshot (kept in $TRIBUTARY_SCREENSHOTS when set) and the layout assertions."""
    page.evaluate("window.scrollTo(0, 0)")   # the sticky header covers nothing at the top
    shot = page.screenshot(full_page=True)
    assert struct.unpack(">II", shot[16:24])[0] == viewport["width"]
    folder = os.environ.get("TRIBUTARY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"console-{name}.png").write_bytes(shot)
    assert page.evaluate(OUTSIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(OVERLAP) == []


def kind(viewport: dict) -> str:
    return "desktop" if viewport["width"] == DESKTOP["width"] else "phone"
