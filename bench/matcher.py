"""Matcher speed and memory: the real library, and generated libraries of 1,000 and 20,000 guides.

    python bench/matcher.py [--sizes real,1000,20000] [--rounds 5]

Each size runs in its own process, so the RSS printed is that of a process holding that library.
Generated guides reuse the real guides' sentences and add invented words (Zipf-distributed), so
the vocabulary and posting lists grow as a large real library's would. Queries are the labelled
sets in tests/data. Targets (issue 3): p99 <= 1 ms for the real library and 1,000 guides,
<= 5 ms for 20,000, and under 300 MB RSS holding 20,000.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import DEFAULT_CONTENT_DIR
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.schema import Guide

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "to",
    "sha",
    "vik",
    "dor",
    "pel",
    "quin",
    "zu",
    "bra",
    "tem",
    "nos",
]


def invented_words(count: int, rng: random.Random) -> list[str]:
    if count > len(SYLLABLES) ** 5:
        raise ValueError("not enough syllable combinations for that many words")
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))))
    return sorted(words)


def generate(real: list[Guide], size: int, seed: int = 7) -> list[Guide]:
    rng = random.Random(seed)
    vocabulary = invented_words(max(2000, size * 3), rng)
    cumulative, total = [], 0.0
    for rank in range(len(vocabulary)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    sentences = [
        s.strip() for g in real for s in g.body.replace("\n", " ").split(". ") if s.strip()
    ]
    guides = []
    for i in range(size):
        template = real[i % len(real)]
        words = rng.choices(vocabulary, cum_weights=cumulative, k=60)
        title = f"{' '.join(words[:3]).title()} {template.title}"[:75]
        body = "\n".join(
            [
                "## When to use it",
                ". ".join(rng.sample(sentences, 3)) + " " + " ".join(words[3:20]) + ".",
                "## Steps",
                *(f"{n}. {s}" for n, s in enumerate(rng.sample(sentences, 5), 1)),
                "## Example",
                " ".join(words[20:60]) + ". " + rng.choice(sentences),
            ]
        )
        meta = template.meta.model_copy(
            update={
                "id": f"generated-{i:05d}",
                "title": title,
                "aliases": [" ".join(rng.sample(words, 2)) for _ in range(6)],
                "tags": rng.sample(words, 5),
            }
        )
        guides.append(
            Guide(meta=meta, body=body, path=f"generated/{i}.md", body_line=1, version="gen")
        )
    return guides


def queries() -> list[str]:
    return [
        json.loads(line)["q"]
        for path in sorted(DATA.glob("learn_queries*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def measure(size: str, rounds: int) -> dict:
    real = load_guides(DEFAULT_CONTENT_DIR)
    guides = real if size == "real" else real + generate(real, int(size) - len(real))
    started = time.perf_counter()
    library = Library(guides)
    built = time.perf_counter() - started
    qs = queries()
    for q in qs:  # warm caches (stemmer) as a running bot would be
        library.search(q)
    timings = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            library.search(q)
            timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "guides": len(guides),
        "build_s": round(built, 2),
        "queries": len(timings),
        "p50_ms": round(timings[len(timings) // 2], 3),
        "p99_ms": round(timings[int(len(timings) * 0.99)], 3),
        "max_ms": round(timings[-1], 3),
        "peak_rss_mb": round(rss_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="real,1000,20000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.rounds)))
        return
    targets = {"real": (1.0, None), "1000": (1.0, None), "20000": (5.0, 300.0)}
    for size in args.sizes.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--one", size, "--rounds", str(args.rounds)],
            capture_output=True,
            text=True,
            check=True,
        )
        sys.stdout.flush()
        r = json.loads(out.stdout)
        p99_target, rss_target = targets.get(size, (None, None))
        verdict = []
        if p99_target:
            verdict.append(
                f"p99 target {p99_target} ms {'met' if r['p99_ms'] <= p99_target else 'NOT met'}"
            )
        if rss_target:
            met = "met" if r["peak_rss_mb"] <= rss_target else "NOT met"
            verdict.append(f"RSS target {rss_target:.0f} MB {met}")
        print(
            f"{r['guides']:6d} guides: build {r['build_s']:6.2f} s  {r['queries']} queries  "
            f"p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms  max {r['max_ms']:.2f} ms  "
            f"peak RSS {r['peak_rss_mb']:.0f} MB   {'; '.join(verdict)}"
        )


if __name__ == "__main__":
    main()
