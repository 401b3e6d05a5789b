"""A from-scratch PyTorch LLaMA, written to match transformers' modeling_llama
(LlamaRMSNorm, rotate-half RoPE, repeat_kv grouped-query attention, SwiGLU MLP, tied or untied
head), plus a hand-written safetensors reader/writer (F32, F16, BF16) and the PLW-weighted
loss of docs/METHOD.md "Loss". Used by make_fixtures.py; independent of the TypeScript code it checks.
"""
import json
import math
import struct

import torch


class Config:
    def __init__(self, **kw):
        self.vocab_size = kw["vocab_size"]
        self.hidden_size = kw["hidden_size"]
        self.intermediate_size = kw["intermediate_size"]
        self.num_hidden_layers = kw["num_hidden_layers"]
        self.num_attention_heads = kw["num_attention_heads"]
        self.num_key_value_heads = kw.get("num_key_value_heads", self.num_attention_heads)
        self.max_position_embeddings = kw.get("max_position_embeddings", 2048)
        self.rms_norm_eps = kw.get("rms_norm_eps", 1e-6)
        self.rope_theta = kw.get("rope_theta", 10000.0)
        self.tie_word_embeddings = kw.get("tie_word_embeddings", False)
        self.bos_token_id = kw.get("bos_token_id", 1)
        self.eos_token_id = kw.get("eos_token_id", 2)
        self.pad_token_id = kw.get("pad_token_id", None)

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads

    def to_hf(self):
        return {
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "max_position_embeddings": self.max_position_embeddings,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_theta,
            "tie_word_embeddings": self.tie_word_embeddings,
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "pad_token_id": self.pad_token_id,
            "hidden_act": "silu",
            "torch_dtype": "float32",
        }


def param_shapes(c):
    """HF names and shapes, in the order the TypeScript `parameterShapes` lists them."""
    hd = c.head_dim
    d = c.hidden_size
    out = [("model.embed_tokens.weight", (c.vocab_size, d))]
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", (d,)),
            (p + "self_attn.q_proj.weight", (c.num_attention_heads * hd, d)),
            (p + "self_attn.k_proj.weight", (c.num_key_value_heads * hd, d)),
            (p + "self_attn.v_proj.weight", (c.num_key_value_heads * hd, d)),
            (p + "self_attn.o_proj.weight", (d, c.num_attention_heads * hd)),
            (p + "post_attention_layernorm.weight", (d,)),
            (p + "mlp.gate_proj.weight", (c.intermediate_size, d)),
            (p + "mlp.up_proj.weight", (c.intermediate_size, d)),
            (p + "mlp.down_proj.weight", (d, c.intermediate_size)),
        ]
    out.append(("model.norm.weight", (d,)))
    if not c.tie_word_embeddings:
        out.append(("lm_head.weight", (c.vocab_size, d)))
    return out


def rms_norm(x, w, eps):
    # LlamaRMSNorm: variance in float32, then scale.
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_cos_sin(c, positions, dtype=torch.float32):
    # LlamaRotaryEmbedding: inv_freq = 1 / theta^(arange(0, hd, 2) / hd), emb = cat(freqs, freqs)
    # (dtype float64 only for the float64 reference of make_plw_loss_reference.py)
    hd = c.head_dim
    inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(dtype) / hd))
    freqs = positions.to(dtype)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def repeat_kv(x, n_rep):
    b, h, t, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, h, n_rep, t, d).reshape(b, h * n_rep, t, d)


def forward(c, P, ids):
    """Logits [B, T, V] of ids [B, T] (no cache; causal mask; right padding is harmless)."""
    b, t = ids.shape
    hd = c.head_dim
    H, KV = c.num_attention_heads, c.num_key_value_heads
    x = P["model.embed_tokens.weight"][ids]
    wide = x.dtype == torch.float64  # the float64 reference; otherwise float32 as HF
    cos, sin = rope_cos_sin(c, torch.arange(t), torch.float64 if wide else torch.float32)
    mask = torch.full((t, t), float("-inf")).triu(1)
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, P[p + "input_layernorm.weight"], c.rms_norm_eps)
        q = (h @ P[p + "self_attn.q_proj.weight"].T).view(b, t, H, hd).transpose(1, 2)
        k = (h @ P[p + "self_attn.k_proj.weight"].T).view(b, t, KV, hd).transpose(1, 2)
        v = (h @ P[p + "self_attn.v_proj.weight"].T).view(b, t, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = repeat_kv(k, H // KV)
        v = repeat_kv(v, H // KV)
        att = (q @ k.transpose(2, 3)) / math.sqrt(hd) + mask
        att = torch.softmax(att if wide else att.float(), dim=-1)
        o = (att @ v).transpose(1, 2).reshape(b, t, H * hd)
        x = x + o @ P[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, P[p + "post_attention_layernorm.weight"], c.rms_norm_eps)
        g = h @ P[p + "mlp.gate_proj.weight"].T
        u = h @ P[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ P[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, P["model.norm.weight"], c.rms_norm_eps)
    head = P["model.embed_tokens.weight"] if c.tie_word_embeddings else P["lm_head.weight"]
    return x @ head.T


def greedy(c, P, prompt, max_new):
    ids = list(prompt)
    out = []
    for _ in range(max_new):
        logits = forward(c, P, torch.tensor([ids]))
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        ids.append(nxt)
        if nxt == c.eos_token_id:
            break
    return out


def collate(examples, plw, pad_id):
    """docs/METHOD.md "Loss": inputs ids[:-1], targets ids[1:]; weight 0 padding, PLW prompt, 1 completion."""
    length = max(len(e["ids"]) - 1 for e in examples)
    B = len(examples)
    inp = torch.full((B, length), pad_id, dtype=torch.long)
    tgt = torch.full((B, length), pad_id, dtype=torch.long)
    w = torch.zeros(B, length)
    pm = torch.zeros(B, length)
    cm = torch.zeros(B, length)
    for b, e in enumerate(examples):
        ids, pl = e["ids"], e["promptLen"]
        for t in range(len(ids) - 1):
            inp[b, t] = ids[t]
            tgt[b, t] = ids[t + 1]
            if t + 1 < pl:
                w[b, t] = plw
                pm[b, t] = 1
            else:
                w[b, t] = 1
                cm[b, t] = 1
    return inp, tgt, w, pm, cm


def plw_loss(c, P, examples, plw, pad_id):
    inp, tgt, w, pm, cm = collate(examples, plw, pad_id)
    logits = forward(c, P, inp)
    ce = torch.nn.functional.cross_entropy(
        logits.reshape(-1, c.vocab_size), tgt.reshape(-1), reduction="none"
    ).view(tgt.shape)
    loss = (ce * w).sum() / w.sum()
    return {
        "loss": loss,
        "promptLoss": float((ce * pm).sum() / pm.sum()),
        "completionLoss": float((ce * cm).sum() / cm.sum()),
        "promptTargets": int(pm.sum()),
        "completionTargets": int(cm.sum()),
    }


# --- safetensors, by hand -------------------------------------------------------------

_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def save_safetensors(path, tensors, dtype="F32"):
    """tensors: list of (name, float tensor); stored as dtype, header padded to 8 bytes."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, t in tensors:
        t = t.detach().to(_DTYPES[dtype]).contiguous()
        # bytes via an int16/int32 view: numpy has no bfloat16
        raw = t.view(torch.int16 if dtype != "F32" else torch.int32).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (8 + len(h.encode())) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h.encode())))
        f.write(h.encode())
        for raw in blobs:
            f.write(raw)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        dt = _DTYPES[e["dtype"]]
        itype = torch.int32 if e["dtype"] == "F32" else torch.int16
        raw = torch.frombuffer(bytearray(body[a:b]), dtype=itype)
        out[name] = raw.view(dt).float().reshape(e["shape"])
    return out
