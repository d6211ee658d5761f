"""Build the comment classifier shipped in the package from the labelled corpus.

    python scripts/train_comment_classifier.py [--corpus PATH] [--output PATH]

Fits on the corpus's train part, chooses the regularisation on its dev part, calibrates
the auto-accept threshold on its test part (precision >= 0.97) and writes
``wagtail_satisfaction/moderation/model/comment_model.npz``. Deterministic: the same
corpus gives the same model. Run it after every change to the corpus and commit both.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wagtail_satisfaction.moderation.learned import PACKAGED_MODEL  # noqa: E402
from wagtail_satisfaction.moderation.training import (  # noqa: E402
    CORPUS,
    corpus_digest,
    fit,
    read_labelled,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--output", default=str(PACKAGED_MODEL))
    args = parser.parse_args(argv)
    rows = read_labelled(args.corpus)
    model = fit(rows, log=print)
    model.meta["corpus_sha256"] = corpus_digest(args.corpus)
    model.meta.pop("trained_at")  # the same corpus gives the same file
    model.save(args.output)
    size = Path(args.output).stat().st_size
    test = model.meta["figures"]["test"]
    print(f"C={model.meta['C']:g}, {len(model.vocabulary)} n-grams, {size / 1024:.0f} KiB "
          f"written to {args.output}")
    if test:
        print(f"test: relevant precision {test['relevant']['precision']:.3f} recall "
              f"{test['relevant']['recall']:.3f}, spam recall {test['spam']['recall']:.3f}")
    print(f"auto-accept threshold (precision >= 0.97 on test): "
          f"{model.meta['auto_accept_threshold']}")


if __name__ == "__main__":
    main()
