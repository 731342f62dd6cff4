"""Five dynamic networks whose control flow depends on their input.

Written from their papers for Debian's PyTorch 1.13, script-friendly so that
`torch.jit.script` + `torch.onnx.export` keep the control flow as ONNX `If`
and `Loop`. Weights are seeded; gates and thresholds are calibrated on inputs
from a separate seed (`calibrate`) so that different inputs take different
paths. Every model returns its outputs and a `path` tensor recording the
decisions it took, so tests compare decisions as well as values.

- sdn:       early-exit ResNet-56 with 6 internal classifiers (Shallow-Deep
             Networks, Kaya et al., ICML 2019): exit at the first classifier
             whose top softmax probability reaches its threshold.
- skipnet:   SkipNet-38 with feed-forward gates (Wang et al., ECCV 2018):
             each residual block runs only when its gate says so.
- blockdrop: BlockDrop (Wu et al., CVPR 2018): a policy network picks which
             of the 54 blocks of a ResNet-110 run.
- captioner: Show, Attend and Tell (Xu et al., ICML 2015) greedy decoding:
             a soft-attention LSTM emits tokens until <end> or 20 steps.
- act:       adaptive computation time (Graves, 2016): repeat a cell until
             the halting probabilities sum to 1 - eps (at most 32 steps).
"""

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    """The CIFAR ResNet block: two 3x3 convs, with a strided 1x1 shortcut
    when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.down = stride != 1 or cin != cout
        self.shortcut = nn.Conv2d(cin, cout, 1, stride) if self.down else nn.Identity()

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(F.relu(self.conv1(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.residual(x) + self.shortcut(x))


def cifar_blocks(per_stage: int, widths=(16, 32, 64)) -> nn.ModuleList:
    blocks = []
    cin = widths[0]
    for stage, width in enumerate(widths):
        for i in range(per_stage):
            stride = 2 if stage > 0 and i == 0 else 1
            blocks.append(BasicBlock(cin, width, stride))
            cin = width
    return nn.ModuleList(blocks)


class SDN(nn.Module):
    """ResNet-56 (27 blocks) with internal classifiers after blocks 4, 9,
    13, 18 and 22, and the final classifier after block 27."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1)
        blocks = list(cifar_blocks(9))
        cuts = [0, 4, 9, 13, 18, 22, 27]
        self.segments = nn.ModuleList([
            nn.Sequential(*blocks[a:b]) for a, b in zip(cuts[:-2], cuts[1:-1])])
        self.last = nn.Sequential(*blocks[cuts[-2]:])
        widths = [16, 16, 32, 32, 64]
        self.heads = nn.ModuleList([nn.Linear(w, classes) for w in widths])
        self.final = nn.Linear(64, classes)
        self.register_buffer("thresholds", torch.full((5,), 0.5))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.stem(x))
        j = 0
        for segment, head in zip(self.segments, self.heads):
            h = segment(h)
            logits = head(h.mean([2, 3]))
            if bool(F.softmax(logits, 1).max() >= self.thresholds[j]):
                return logits, torch.tensor([j], dtype=torch.long)
            j += 1
        h = self.last(h)
        return self.final(h.mean([2, 3])), torch.tensor([5], dtype=torch.long)

    def calibrate(self, inputs: torch.Tensor) -> None:
        """Per-exit thresholds such that about 25/15/15/10/10 % of inputs
        leave at exits 1-5 and the rest run to the end."""
        fractions = [0.25, 0.15, 0.15, 0.10, 0.10]
        remaining = torch.ones(inputs.shape[0], dtype=torch.bool)
        h = F.relu(self.stem(inputs))
        total = inputs.shape[0]
        for j in range(5):
            h = self.segments[j](h)
            conf = F.softmax(self.heads[j](h.mean([2, 3])), 1).max(1).values
            alive = conf[remaining].sort(descending=True).values
            take = int(round(fractions[j] * total))
            if 0 < take < alive.numel():
                # Midway between two inputs keeps ties off the threshold.
                self.thresholds[j] = (alive[take - 1] + alive[take]) / 2
            remaining &= conf < self.thresholds[j]


class SkipNet(nn.Module):
    """ResNet-38 (18 blocks) whose blocks after the first each have a
    feed-forward gate (pool, 1x1 conv, linear) deciding whether to run."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1)
        self.blocks = cifar_blocks(6)
        self.gates = nn.ModuleList([
            nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(b.conv1.in_channels, 1))
            for b in self.blocks])
        self.fc = nn.Linear(64, classes)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.stem(x))
        # The path as bits, one per gated block (1: ran).
        code = torch.zeros(1, dtype=torch.long)
        for block, gate in zip(self.blocks, self.gates):
            if block.down:
                # Blocks that change the shape always run (as in SkipNet).
                h = block(h)
            else:
                if bool(gate(h).squeeze() > 0):
                    h = block(h)
                    code = code * 2 + 1
                else:
                    code = code * 2
        return self.fc(h.mean([2, 3])), code

    def calibrate(self, inputs: torch.Tensor) -> None:
        """Gate biases at the median of their logits over the inputs that
        reach them, so each gate skips about half of them."""
        h = F.relu(self.stem(inputs))
        for block, gate in zip(self.blocks, self.gates):
            if not block.down:
                logit = gate(h).squeeze(1)
                gate[2].bias.data -= logit.median()
                keep = (gate(h).squeeze(1) > 0).float().view(-1, 1, 1, 1)
                h = keep * block(h) + (1 - keep) * h
            else:
                h = block(h)


class BlockDrop(nn.Module):
    """ResNet-110 (54 blocks) driven by a policy network that sees the image
    once and emits one keep decision per block."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1)
        self.blocks = cifar_blocks(18)
        self.policy = nn.Sequential(
            nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
            nn.Flatten(), nn.Linear(128, 54))
        self.fc = nn.Linear(64, classes)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        keep = self.policy(x) > 0
        h = F.relu(self.stem(x))
        for i, block in enumerate(self.blocks):
            if block.down:
                # A dropped downsampling block still runs its shortcut.
                if bool(keep[0, i]):
                    h = block(h)
                else:
                    h = block.shortcut(h)
            else:
                if bool(keep[0, i]):
                    h = block(h)
        return self.fc(h.mean([2, 3])), keep.long()

    def calibrate(self, inputs: torch.Tensor) -> None:
        """Policy biases at the 60th percentile of their logits: about 40 %
        of the blocks kept, a different set per input."""
        logits = self.policy(inputs)
        self.policy[4].bias.data -= logits.quantile(0.6, dim=0)


class Captioner(nn.Module):
    """A CNN encoder (4x4 = 16 regions of 64 features) and an LSTM decoder
    with soft attention over the regions, decoded greedily."""

    max_len: int
    end: int

    def __init__(self, vocab: int = 1000, dim: int = 64):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1),
            nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.embed = nn.Embedding(vocab, dim)
        self.init_h = nn.Linear(dim, dim)
        self.init_c = nn.Linear(dim, dim)
        self.att_feat = nn.Linear(dim, dim)
        self.att_hidden = nn.Linear(dim, dim)
        self.att_score = nn.Linear(dim, 1)
        self.gates_x = nn.Linear(2 * dim, 4 * dim)
        self.gates_h = nn.Linear(dim, 4 * dim)
        self.out = nn.Linear(dim, vocab)
        self.max_len = 20
        self.end = 1

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        feats = self.encoder(image).flatten(2).transpose(1, 2)  # 1 x 16 x 64
        mean = feats.mean(1)
        h = torch.tanh(self.init_h(mean))
        c = torch.tanh(self.init_c(mean))
        keys = self.att_feat(feats)
        tok = torch.zeros(1, dtype=torch.long)
        tokens = torch.full((1, self.max_len), self.end, dtype=torch.long)
        t = 0
        while t < self.max_len:
            score = self.att_score(torch.tanh(keys + self.att_hidden(h).unsqueeze(1)))
            alpha = F.softmax(score, 1)
            context = (alpha * feats).sum(1)
            x = torch.cat([self.embed(tok), context], 1)
            i, f, g, o = (self.gates_x(x) + self.gates_h(h)).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            tok = self.out(h).argmax(1)
            tokens[0, t] = tok[0]
            t += 1
            if bool(tok[0] == self.end):
                break
        return tokens, torch.tensor([t], dtype=torch.long)

    def calibrate(self, inputs: torch.Tensor) -> None:
        """Picks as <end> the token whose first appearance in the greedy
        captions of the calibration inputs (decoded to full length) spreads
        lengths most, about 8 tokens on average."""
        # Random encoder weights wash the image out of the decoder's state;
        # a larger gain lets different images start different captions.
        for conv in (self.encoder[0], self.encoder[2]):
            conv.weight.data *= 4.0
        self.end = -1
        captions = [self.forward(inputs[k:k + 1])[0][0].tolist()
                    for k in range(inputs.shape[0])]
        best, best_score = 1, -1e9
        for token in {t for c in captions for t in c}:
            lengths = torch.tensor([float(c.index(token) + 1) if token in c
                                    else float(self.max_len) for c in captions])
            score = lengths.unique().numel() - abs(lengths.mean().item() - 8.0)
            if score > best_score:
                best, best_score = token, score
        self.end = best


class ACT(nn.Module):
    """A recurrent cell repeated until the halting probabilities sum to
    1 - eps; the output is the halting-weighted state."""

    eps: float
    max_steps: int

    def __init__(self, dim: int = 128):
        super().__init__()
        self.inp = nn.Linear(dim, dim)
        self.cell_x = nn.Linear(dim, dim)
        self.cell_h = nn.Linear(dim, dim)
        self.halt = nn.Linear(dim, 1)
        self.head = nn.Linear(dim, 10)
        self.eps = 0.01
        self.max_steps = 32

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        u = torch.tanh(self.inp(x))
        s = torch.zeros_like(u)
        total = torch.zeros(1, 1)
        acc = torch.zeros_like(u)
        n = 0
        while bool(total.sum() < 1.0 - self.eps) and n < self.max_steps:
            s = torch.tanh(self.cell_x(u) + self.cell_h(s))
            p = torch.sigmoid(self.halt(s))
            p = torch.minimum(p, 1.0 - total)
            acc = acc + p * s
            total = total + p
            n += 1
        return self.head(acc), torch.tensor([n], dtype=torch.long)

    def calibrate(self, inputs: torch.Tensor) -> None:
        """Halting bias such that the mean step count is about 6."""
        best, best_err = 0.0, 1e9
        for bias in [x / 4 for x in range(-16, 1)]:
            self.halt.bias.data.fill_(bias)
            steps = torch.stack([self.forward(inputs[k:k + 1])[1][0] for k in range(inputs.shape[0])])
            err = abs(steps.float().mean().item() - 6.0) + (0 if steps.unique().numel() > 1 else 10)
            if err < best_err:
                best, best_err = bias, err
        self.halt.bias.data.fill_(best)


MODELS = {
    "sdn": (SDN, (3, 32, 32)),
    "skipnet": (SkipNet, (3, 32, 32)),
    "blockdrop": (BlockDrop, (3, 32, 32)),
    "captioner": (Captioner, (3, 64, 64)),
    "act": (ACT, (128,)),
}


def build(name: str, seed: int = 0, calibration_seed: int = 1) -> nn.Module:
    """The model `name` with seeded weights, calibrated on 64 inputs drawn
    from `calibration_seed`."""
    cls, shape = MODELS[name]
    torch.manual_seed(seed)
    model = cls().eval()
    torch.manual_seed(calibration_seed)
    with torch.no_grad():
        model.calibrate(torch.randn(64, *shape))
    return model


def inputs(name: str, count: int, seed: int = 2) -> torch.Tensor:
    _, shape = MODELS[name]
    torch.manual_seed(seed)
    return torch.randn(count, 1, *shape)
