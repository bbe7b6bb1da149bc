"""Chapter 10's LeNet trained from convlab's layers against the same network from torch.nn.

    python benchmarks/network.py            # 3 trainings of 20 epochs (about a minute)
    python benchmarks/network.py --quick    # 1 training of 3 epochs: checks it runs

Each training is ``convlab.network.train`` as the chapter calls it: both
networks from the same seed, the same batches, one thread, taking turns an
epoch at a time; it reports the median epoch of each. The table gives every
training's two medians, their ratio convlab / torch.nn and the test digits each
got right, then the median ratio over the trainings (target: ≤ 2) and the
accuracy (target: ≥ 97 %). The depthwise-separable variant is timed with them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser import machine  # noqa: E402
from convlab.digits import load_digits  # noqa: E402
from convlab.network import lenet, train  # noqa: E402

MAX_RATIO = 2.0
MIN_ACCURACY = 0.97


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short training")
    parser.add_argument("--trainings", type=int, default=3, help="trainings (default 3)")
    args = parser.parse_args()
    trainings, epochs = (1, 3) if args.quick else (max(1, args.trainings), 20)
    digits = load_digits()
    print(machine())
    print(f"{trainings} training(s) of {epochs} epochs, batches of 32, float64, 1 thread\n")
    print("| training | convlab s/epoch | torch.nn s/epoch | ratio | separable s/epoch |"
          " right (convlab, torch.nn, separable) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    ratios, right = [], []
    for i in range(trainings):
        networks = {
            "convlab": lenet("convlab"),
            "torch": lenet("torch"),
            "separable": lenet("convlab", separable=True),
        }
        results = train(networks, digits, epochs=epochs)
        seconds = {name: r.epoch_seconds for name, r in results.items()}
        ratios.append(seconds["convlab"] / seconds["torch"])
        right.append(tuple(r.correct for r in results.values()))
        print(
            f"| {i + 1} | {seconds['convlab']:.3f} | {seconds['torch']:.3f} | "
            f"{ratios[-1]:.2f} | {seconds['separable']:.3f} | "
            f"{', '.join(map(str, right[-1]))} of {results['torch'].tested} |"
        )
    ratio = statistics.median(ratios)
    accuracy = min(min(r[:2]) for r in right) / len(digits.test_labels)
    if args.quick:
        print(f"\nmedian ratio {ratio:.2f}, accuracy {accuracy:.1%} (quick run: not judged)")
        return 0
    verdict = {True: "met", False: "NOT met"}
    print(f"\nmedian ratio convlab / torch.nn: {ratio:.2f} "
          f"(target ≤ {MAX_RATIO:g}: {verdict[ratio <= MAX_RATIO]})")  # fmt: skip
    print(f"test accuracy, both: {accuracy:.1%} "
          f"(target ≥ {MIN_ACCURACY:.0%}: {verdict[accuracy >= MIN_ACCURACY]})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
