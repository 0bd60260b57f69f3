"""Charts drawn on the server as SVG geometry for the templates (consortium/charts/*.svg): no
script and no style attribute, so pages stay within the CSP and render offline. Each chart
sits next to a table of the same numbers, which is what screen readers read."""

# Bootstrap's primary blue; opacity carries the heat of a cell.
FILL = "#0d6efd"
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_AREA, VALUE_WIDTH = 18, 6, 44, 300, 56
CELL_WIDTH, CELL_HEIGHT, ROW_LABEL_WIDTH, HEADER_HEIGHT = 40, 24, 120, 24


def bar_chart(items: list[tuple[str, int]]) -> dict:
    """Horizontal bars, longest for the largest value: items are (label, value)."""
    largest = max((value for _label, value in items), default=0) or 1
    step = BAR_HEIGHT + BAR_GAP
    bars = [
        {
            "label": label,
            "value": value,
            "y": index * step,
            "text_y": index * step + BAR_HEIGHT - 5,
            "width": round(value / largest * BAR_AREA, 1),
            "value_x": LABEL_WIDTH + round(value / largest * BAR_AREA, 1) + 4,
        }
        for index, (label, value) in enumerate(items)
    ]
    return {
        "bars": bars,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        "height": max(len(bars) * step - BAR_GAP, 1),
    }


def heat_map(row_labels: list[str], column_labels: list[str], values: list[list[int]]) -> dict:
    """A grid of cells, darker for larger values; values[row][column]."""
    largest = max((value for row in values for value in row), default=0) or 1
    rows = []
    for index, (label, row) in enumerate(zip(row_labels, values, strict=True)):
        y = HEADER_HEIGHT + index * CELL_HEIGHT
        cells = [
            {
                "x": ROW_LABEL_WIDTH + column * CELL_WIDTH,
                "text_x": ROW_LABEL_WIDTH + column * CELL_WIDTH + CELL_WIDTH // 2,
                "value": value,
                # A faint floor keeps a single application visible next to hundreds.
                "opacity": round(0.08 + 0.92 * value / largest, 2) if value else 0,
                "dark": value / largest > 0.5,
            }
            for column, value in enumerate(row)
        ]
        rows.append({"label": label, "y": y, "text_y": y + CELL_HEIGHT - 8, "cells": cells})
    columns = [
        {"label": label, "x": ROW_LABEL_WIDTH + index * CELL_WIDTH + CELL_WIDTH / 2}
        for index, label in enumerate(column_labels)
    ]
    return {
        "rows": rows,
        "columns": columns,
        "cell_width": CELL_WIDTH,
        "cell_height": CELL_HEIGHT,
        "width": ROW_LABEL_WIDTH + len(columns) * CELL_WIDTH,
        "height": HEADER_HEIGHT + len(rows) * CELL_HEIGHT,
    }


LINE_WIDTH, LINE_HEIGHT, AXIS_WIDTH, AXIS_HEIGHT, LEGEND_HEIGHT = 480, 140, 44, 20, 18
# Month labels drawn under the axis at most; the table holds every month.
LINE_LABELS = 12
LINE_COLOURS = (FILL, "#6c757d")


def line_chart(labels: list[str], lines: list[tuple[str, list[int]]]) -> dict:
    """Lines over a common axis of labels (months): lines are (name, values), one value per label,
    drawn in LINE_COLOURS' order on one scale from 0 to the largest value."""
    largest = max((value for _name, values in lines for value in values), default=0) or 1
    step = LINE_WIDTH / (len(labels) - 1) if len(labels) > 1 else 0
    top = LEGEND_HEIGHT + 6

    def x(index):
        # A single month sits in the middle rather than on the axis.
        return round(AXIS_WIDTH + (index * step if step else LINE_WIDTH / 2), 1)

    def y(value):
        return round(top + LINE_HEIGHT - value / largest * LINE_HEIGHT, 1)

    drawn = []
    for number, (name, values) in enumerate(lines):
        points = [{"x": x(i), "y": y(v), "label": labels[i], "value": v} for i, v in enumerate(values)]
        drawn.append(
            {
                "name": name,
                "colour": LINE_COLOURS[number % len(LINE_COLOURS)],
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "legend_x": AXIS_WIDTH + number * 160,
            }
        )
    every = -(-len(labels) // LINE_LABELS)  # ceiling: 24 months are labelled every other month
    return {
        "lines": drawn,
        "ticks": [{"x": x(i), "label": label} for i, label in enumerate(labels) if i % every == 0],
        "axis_x": AXIS_WIDTH,
        "axis_right": AXIS_WIDTH + LINE_WIDTH,
        "top": top,
        "baseline": top + LINE_HEIGHT,
        "label_y": top + LINE_HEIGHT + 14,
        "largest": largest,
        "width": AXIS_WIDTH + LINE_WIDTH + 28,
        "height": top + LINE_HEIGHT + AXIS_HEIGHT,
    }
