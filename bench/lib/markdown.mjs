// Markdown rendering helpers.

/** A GitHub-flavoured markdown table; `align` holds "l" or "r" per column (default: left). */
export function table(headers, rows, align = []) {
  const cell = (value) =>
    String(value ?? "")
      .replaceAll("|", "\\|")
      .replaceAll("\n", " ");
  const rule = headers.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  return [headers, rule, ...rows]
    .map((row, index) => `| ${(index === 1 ? row : row.map(cell)).join(" | ")} |`)
    .join("\n");
}

export function metOrMissed(met) {
  return met ? "**met**" : "**missed**";
}
