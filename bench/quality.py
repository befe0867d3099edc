"""Matching quality on labelled queries, beside a plain BM25 baseline over the same guides.

    python bench/quality.py [FILE.jsonl ...]   (default: the sets in tests/data)

Each line: {"q", "expect": id or null, "also": [ids]?, "style"?}. Right at top 1 means the first
answer is `expect` (or one of `also`), or nothing at all when `expect` is null. Top 3 is counted
over in-scope queries. The baseline is Okapi BM25 (k1=1.2, b=0.75) over each guide's whole text,
stemmed, without typo handling, concepts or a "nothing good enough" decision.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import DEFAULT_CONTENT_DIR
from bot.library import text
from bot.library.loader import load_guides
from bot.library.matcher import Library

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


class PlainBM25:
    def __init__(self, guides):
        self.ids = [g.id for g in guides]
        docs = [
            [
                text.stem(w)
                for w in text.content_words(
                    text.words(
                        " ".join([g.title, *g.meta.aliases, *g.meta.tags, g.meta.summary, g.body])
                    )
                )
            ]
            for g in guides
        ]
        self.tf = [Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avg = sum(self.len) / len(docs)
        df = Counter(t for d in docs for t in set(d))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, query: str, limit: int = 3) -> list[str]:
        terms = [text.stem(w) for w in text.content_words(text.words(query))]
        scores = defaultdict(float)
        for i, tf in enumerate(self.tf):
            for t in terms:
                if t in tf:
                    f = tf[t]
                    scores[i] += (
                        self.idf[t] * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * self.len[i] / self.avg))
                    )
        ranked = sorted(scores, key=lambda i: -scores[i])
        return [self.ids[i] for i in ranked[:limit]]


def evaluate(rows: list[dict], search) -> dict:
    top1 = top3 = in_scope = nulls = nulls_right = 0
    by_style: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        ids = search(row["q"])
        expect, fair = row["expect"], {row["expect"], *(row.get("also") or [])}
        if expect is None:
            right = not ids
            nulls += 1
            nulls_right += right
        else:
            right = bool(ids) and ids[0] in fair
            in_scope += 1
            top3 += bool(fair & set(ids[:3]))
        top1 += right
        style = by_style[row.get("style", "?")]
        style[0] += right
        style[1] += 1
    return {
        "queries": len(rows),
        "top1": top1 / len(rows),
        "top3_in_scope": top3 / max(in_scope, 1),
        "honest_nothing": nulls_right / max(nulls, 1),
        "by_style": {s: f"{a}/{b}" for s, (a, b) in sorted(by_style.items())},
    }


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted(DATA.glob("learn_queries*.jsonl"))
    guides = load_guides(DEFAULT_CONTENT_DIR)
    library, baseline = Library(guides), PlainBM25(guides)
    for path in paths:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        ours = evaluate(rows, lambda q: [m.guide.id for m in library.search(q).matches])
        plain = evaluate(rows, baseline.search)
        print(f"{path.name} ({ours['queries']} queries)")
        for name, result in (("inflow matcher", ours), ("plain BM25", plain)):
            print(
                f"  {name:15s} top-1 right {result['top1']:6.1%}   in-scope top-3 "
                f"{result['top3_in_scope']:6.1%}   honest 'nothing' {result['honest_nothing']:6.1%}"
            )
        print(f"  inflow by style: {ours['by_style']}")


if __name__ == "__main__":
    main()
