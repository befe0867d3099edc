"""How fast the channel suggestion decision is, on one core, over the real library.

    python bench/suggest.py [--messages 20000]

Cycles through the labelled channel messages in tests/data (chatter and moments alike, as a
channel carries them) and times `suggest()` on each. Target (issue 6): >= 2,000 messages a
second on one core.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import DEFAULT_CONTENT_DIR
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.suggest import suggest

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    library = Library(load_guides(DEFAULT_CONTENT_DIR))
    texts = [
        json.loads(line)["text"]
        for name in ("channel_messages_dev.jsonl", "channel_messages.jsonl")
        for line in (DATA / name).read_text().splitlines()
        if line.strip()
    ]
    stream = list(itertools.islice(itertools.cycle(texts), args.messages))
    for text in stream[:200]:  # warm caches
        suggest(library, text)
    started = time.process_time()
    offered = sum(suggest(library, text) is not None for text in stream)
    seconds = time.process_time() - started
    rate = len(stream) / seconds
    print(f"{len(stream)} channel messages ({len(texts)} distinct), {len(library.guides)} guides")
    print(
        f"  {rate:,.0f} decisions a second on one core (CPU time {seconds:.2f} s); "
        f"{offered / len(stream):.1%} offered"
    )
    print(f"  target >= 2,000 a second: {'met' if rate >= 2000 else 'NOT met'}")


if __name__ == "__main__":
    main()
