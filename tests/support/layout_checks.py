"""Page checks that can fail: an element that overflows its box, text too faint to read (WCAG AA).

Each check is one JS function evaluated in the page, `page.evaluate(OVERFLOW, ".cp-panel")`,
returning a list of offenders (empty when the page passes), each described well enough to find.
"""

from __future__ import annotations

# Elements in `root` whose content is wider than their box: `scrollWidth > clientWidth`, whether
# it then scrolls or spills. Exempt: text cut on purpose with an ellipsis and the whole text in a
# tooltip; inputs (a long value the user typed scrolls in any text box); the inside of charts.
OVERFLOW = """(rootSelector) => {
  const describe = (el) => {
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(
      (c) => c.startsWith('cp-') || c.startsWith('widget-') || c.startsWith('jupyter-')).slice(0, 3) : [];
    return `${el.tagName.toLowerCase()}${cls.map((c) => '.' + c).join('')}`;
  };
  const out = [];
  for (const root of document.querySelectorAll(rootSelector)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (el instanceof SVGElement || el.closest('.js-plotly-plot, .cp-lc-plot, svg, iframe')) continue;
      if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION', 'STYLE', 'SCRIPT'].includes(el.tagName)) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || el.clientWidth === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      if (el.scrollWidth <= el.clientWidth + 1) continue;
      if (style.textOverflow === 'ellipsis' && el.closest('[title]')) continue;
      out.push({element: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                text: (el.innerText || '').trim().slice(0, 60)});
    }
  }
  return out;
}"""

# Every visible piece of text in `root` (an element's own text nodes) against the background it
# is drawn on: the first non-transparent background walking up (semi-transparent ones blended
# onto what lies under them), the page's background last. Disabled controls are exempt (WCAG
# 1.4.3). Returns those below `minimum` (4.5 for WCAG AA body text).
CONTRAST = """([rootSelector, minimum]) => {
  // Chromium computes rgb()/rgba() for plain colours and color(srgb r g b / a), channels 0-1,
  // for color-mix(): both are read; any other form is reported, never skipped.
  const parse = (c) => {
    let m = c && c.match(/^rgba?\\(([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
      return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
    }
    m = c && c.match(/^color\\(srgb ([^)]+)\\)/);
    if (m) {
      const p = m[1].split(/[ \\/]+/).filter(Boolean).map(Number);
      return {r: p[0] * 255, g: p[1] * 255, b: p[2] * 255, a: p.length > 3 ? p[3] : 1};
    }
    return null;
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    let color = {r: 255, g: 255, b: 255, a: 1};
    if (!layers.length || layers[layers.length - 1].a < 1) {
      const page = parse(getComputedStyle(document.body).backgroundColor);
      if (page && page.a > 0) color = over(page, color);
    }
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const out = [];
  for (const root of document.querySelectorAll(rootSelector)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (['STYLE', 'SCRIPT', 'OPTION'].includes(el.tagName)) continue;
      if (el.closest('iframe, .js-plotly-plot')) continue;
      const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map(
        (n) => n.textContent.trim()).join(' ');
      if (!own) continue;
      if (el.closest(':disabled, [disabled], .mod-disabled')) continue;
      if (el.closest('[aria-hidden="true"]')) continue;  // decoration (a legend's colour swatch), not text
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      if (parseFloat(style.opacity) === 0) continue;
      const bg = background(el);
      const fgText = el instanceof SVGElement ? style.fill : style.color;
      let fg = parse(fgText);
      if (!fg) {
        out.push({text: own.slice(0, 50), ratio: 0, color: fgText, background: 'unread colour',
                  element: el.tagName.toLowerCase()});
        continue;
      }
      fg = over(fg, bg);
      const r = ratio(fg, bg);
      if (r < minimum) {
        out.push({text: own.slice(0, 50), ratio: Math.round(r * 100) / 100,
                  color: style.color, background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`,
                  element: el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
                    ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '')});
      }
    }
  }
  return out;
}"""


def overflowing(page, root: str = ".cp-panel") -> list[dict]:
    return page.evaluate(OVERFLOW, root)


def low_contrast(page, root: str = ".cp-panel", minimum: float = 4.5) -> list[dict]:
    return page.evaluate(CONTRAST, [root, minimum])
