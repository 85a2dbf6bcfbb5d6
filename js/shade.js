// "dark" or "light": the shade of the notebook behind `node`, from the first opaque background
// among its ancestors, else the browser's preference. A frame of another origin (the chart and
// transfer pages) cannot see the notebook's theme, so its widget passes this in the frame's URL.
export function hostShade(node) {
  for (let n = node; n && n.nodeType === 1; n = n.parentElement || (n.getRootNode && n.getRootNode().host)) {
    const m = getComputedStyle(n).backgroundColor.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
    if (m && (m[4] === undefined || Number(m[4]) > 0.5)) {
      const luminance = 0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3];
      return luminance < 128 ? "dark" : "light";
    }
  }
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}
