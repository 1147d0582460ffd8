"""Plain-text tables."""


def render_table(headers, rows, align=None):
    """Render rows as an aligned text table.

    ``align`` is a string with one ``l`` or ``r`` per column (default: all left).
    """
    columns = len(headers)
    align = align or "l" * columns
    if len(align) != columns:
        raise ValueError("align must have one character per column")
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(columns)]

    def fmt(row):
        parts = []
        for i, cell in enumerate(row):
            parts.append(cell.rjust(widths[i]) if align[i] == "r" else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(row) for row in cells[1:])
    return "\n".join(lines)
