#!/usr/bin/python3
"""PyTorch cross-check of the auto-mpg optimizer comparison (npm run example -- autompg).

Reads examples/results/autompg.json (the rows, the standardisation, the initial weights, the
batch size, the epochs and every optimizer's options), runs the same experiment with
torch.optim on the CPU in float32, and writes each optimizer's loss at every epoch (the last
batch's loss, before its step, as the seed notes record it) to test/fixtures/autompg_torch.json.
test/node/autompg.test.ts compares those curves with the committed WebGPU and CPU-reference ones.

Run:  /usr/bin/python3 scripts/autompg_torch.py [RESULTS_JSON [OUT_JSON]]
(Debian: apt-get install -y python3-torch.)
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "examples" / "results" / "autompg.json"
OUT = ROOT / "test" / "fixtures" / "autompg_torch.json"

# camelCase option names of webgpu-optim -> torch.optim keyword arguments.
KWARGS = {
    "lr": "lr",
    "momentum": "momentum",
    "dampening": "dampening",
    "nesterov": "nesterov",
    "weightDecay": "weight_decay",
    "maximize": "maximize",
    "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value",
    "eps": "eps",
    "alpha": "alpha",
    "centered": "centered",
    "betas": "betas",
    "amsgrad": "amsgrad",
}
CLASSES = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adam": torch.optim.Adam,
}


def inputs(spec):
    """Standardised inputs (f64 arithmetic, then f32, as examples/autompg/data.ts) and targets."""
    rows = np.array(spec["data"]["rows"], dtype=np.float64)
    mean = np.array(spec["standardisation"]["mean"], dtype=np.float64)
    std = np.array(spec["standardisation"]["std"], dtype=np.float64)
    # The recorded standardisation is the population std (ddof=0) of these rows.
    assert np.allclose(rows[:, :3].mean(axis=0), mean, rtol=1e-12, atol=0)
    assert np.allclose(rows[:, :3].std(axis=0, ddof=0), std, rtol=1e-12, atol=0)
    x = ((rows[:, :3] - mean) / std).astype(np.float32)
    y = rows[:, 3:4].astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


def run(spec, config, x, y):
    """One fresh model from the recorded init, trained with one optimizer; per-epoch losses."""
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([spec["init"]["weight"]], dtype=torch.float32))
        model.bias.copy_(torch.tensor([spec["init"]["bias"]], dtype=torch.float32))
    kwargs = {KWARGS[k]: (tuple(v) if k == "betas" else v) for k, v in config["options"].items()}
    optimizer = CLASSES[config["algorithm"]](model.parameters(), **kwargs)
    criterion = nn.MSELoss()
    batch = spec["batchSize"]
    losses = []
    for _ in range(spec["epochs"]):
        for start in range(0, len(y), batch):  # row order, no shuffle
            optimizer.zero_grad()
            loss = criterion(model(x[start : start + batch]), y[start : start + batch])
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
    return losses


def main():
    torch.set_num_threads(1)  # one summation order, run to run
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    spec = json.loads(results.read_text())
    x, y = inputs(spec)
    curves = []
    for config in spec["optimizers"]:
        losses = run(spec, config, x, y)
        curves.append({"name": config["name"], "losses": losses})
        print(f"{config['name']:>9}: epoch 1 {losses[0]:.4f}, epoch {len(losses)} {losses[-1]:.4f}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "generator": "scripts/autompg_torch.py",
                "torch": torch.__version__,
                "python": sys.version.split()[0],
                "epochs": spec["epochs"],
                "optimizers": curves,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
