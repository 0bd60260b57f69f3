"""Readable differences between two texts of an edition, section by section.

Lines are compared first; a changed line is compared again word by word, so that one corrected date
in a long paragraph shows as that date, not as the whole paragraph removed and added. The result is
plain data: the template escapes every piece of text.

difflib's SequenceMatcher slows down with the pairs of equal items (one from each side) it has to
consider, and worse on repetitive text, so each comparison counts them first, against a cap per
comparison and a budget per page: text too big or too repetitive to compare finely is shown coarsely
instead (a whole line, or a block of lines, removed then added). Text both versions share at the
start and end is set aside before counting, so a small change in a long text still shows finely.
A page with a diff thus renders in bounded time whatever the sections hold.
"""

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from ..models import SectionKey

WORDS = re.compile(r"\s+|[^\s]+")

# Above these, a comparison is not attempted and the text is shown as removed and added.
MAX_TOKENS = 2_000  # words and spaces of a changed line and its new version, or lines of a section's two texts
MAX_MATCHING_PAIRS = 20_000  # pairs of equal items one comparison may visit
MAX_PAGE_PAIRS = 100_000  # and all the comparisons of one page together


class _Budget:
    """What the comparisons of one page may still spend, in pairs of equal items."""

    def __init__(self):
        self.pairs = MAX_PAGE_PAIRS


@dataclass
class DiffLine:
    """One line of the comparison, or consecutive lines of one kind: kind is "same", "added", "removed"
    or "changed" (one line, compared word by word); pieces are (kind, text) with kind "same", "added"
    or "removed"."""

    kind: str
    pieces: list[tuple[str, str]]


@dataclass
class SectionDiff:
    key: str
    label: str
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(line.kind != "same" for line in self.lines)

    def _count(self, kind: str) -> int:
        """Lines added or removed outright, and pieces of changed lines."""
        return sum(
            text.count("\n") + 1 if line.kind == kind else 1
            for line in self.lines
            for piece, text in line.pieces
            if piece == kind
        )

    @property
    def additions(self) -> int:
        return self._count("added")

    @property
    def removals(self) -> int:
        return self._count("removed")


def _opcodes(before: list[str], after: list[str], budget: _Budget) -> list[tuple] | None:
    """SequenceMatcher's opcodes, or None when the comparison would be too slow to run."""
    if len(before) + len(after) > MAX_TOKENS:
        return None
    counted = Counter(after)
    pairs = sum(counted[item] for item in before)
    if pairs > min(MAX_MATCHING_PAIRS, budget.pairs):
        return None
    budget.pairs -= pairs
    return difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()


def _word_pieces(old: str, new: str, budget: _Budget) -> list[tuple[str, str]] | None:
    before, after = WORDS.findall(old), WORDS.findall(new)
    start, end = _common_ends(before, after)
    opcodes = _opcodes(before[start : len(before) - end], after[start : len(after) - end], budget)
    if opcodes is None:
        return None
    pieces = [("same", "".join(before[:start]))] if start else []
    for tag, i1, i2, j1, j2 in opcodes:
        i1, i2, j1, j2 = i1 + start, i2 + start, j1 + start, j2 + start
        if tag == "equal":
            pieces.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(after[j1:j2])))
    if end:
        pieces.append(("same", "".join(before[len(before) - end :])))
    return pieces


def _common_ends(before: list[str], after: list[str]) -> tuple[int, int]:
    """How many items (lines or words) the two sequences share at their start, and then at their end."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return start, end


def _block(kind: str, lines: list[str]) -> list[DiffLine]:
    """Consecutive lines of one kind as one DiffLine (the page keeps their line breaks)."""
    return [DiffLine(kind, [(kind, "\n".join(lines))])] if lines else []


def diff_text(old: str, new: str, budget: _Budget | None = None) -> list[DiffLine]:
    budget = budget or _Budget()
    before, after = (old or "").splitlines(), (new or "").splitlines()
    start, end = _common_ends(before, after)
    middle_before, middle_after = before[start : len(before) - end], after[start : len(after) - end]
    opcodes = _opcodes(middle_before, middle_after, budget)
    pair_lines = opcodes is not None
    if opcodes is None:  # too much to compare: the whole changed block, removed then added
        opcodes = [("replace", 0, len(middle_before), 0, len(middle_after))]
    lines = _block("same", before[:start])
    for tag, i1, i2, j1, j2 in opcodes:
        old_block, new_block = middle_before[i1:i2], middle_after[j1:j2]
        if tag == "equal":
            lines += _block("same", old_block)
            continue
        paired = 0
        if tag == "replace" and pair_lines:
            # Pair changed lines in order; what is left over was removed or added outright.
            for old_line, new_line in zip(old_block, new_block, strict=False):
                pieces = _word_pieces(old_line, new_line, budget)
                if pieces is None:  # a line too long to compare word by word
                    lines += _block("removed", [old_line]) + _block("added", [new_line])
                else:
                    lines.append(DiffLine("changed", pieces))
            paired = min(len(old_block), len(new_block))
        lines += _block("removed", old_block[paired:]) + _block("added", new_block[paired:])
    lines += _block("same", before[len(before) - end :])
    return lines


def diff_contents(old: dict, new: dict) -> list[SectionDiff]:
    """Every section of two contents ({key: Markdown}), in reading order."""
    budget = _Budget()
    return [
        SectionDiff(key, str(label), diff_text(old.get(key, ""), new.get(key, ""), budget))
        for key, label in SectionKey.choices
    ]
