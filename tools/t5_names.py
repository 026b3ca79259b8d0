"""Every parameter of a Hugging Face T5ForConditionalGeneration checkpoint, by name, with its shape, from config.json
values (see /work/shared/T5-FACTS.md). One table for the tools that build or check checkpoints."""


def t5_param_shapes(c):
    C, inner, F, V = c["d_model"], c["num_heads"] * c["d_kv"], c["d_ff"], c["vocab_size"]
    gated = c.get("feed_forward_proj", "relu").startswith("gated")
    s = {"shared.weight": (V, C)}

    def attn(p, bias):
        for m in "qkv":
            s[f"{p}.{m}.weight"] = (inner, C)
        s[f"{p}.o.weight"] = (C, inner)
        if bias:
            s[f"{p}.relative_attention_bias.weight"] = (c["relative_attention_num_buckets"], c["num_heads"])

    def ffn(p):
        for m in (["wi_0", "wi_1"] if gated else ["wi"]):
            s[f"{p}.DenseReluDense.{m}.weight"] = (F, C)
        s[f"{p}.DenseReluDense.wo.weight"] = (C, F)
        s[f"{p}.layer_norm.weight"] = (C,)

    for i in range(c["num_layers"]):
        attn(f"encoder.block.{i}.layer.0.SelfAttention", i == 0)
        s[f"encoder.block.{i}.layer.0.layer_norm.weight"] = (C,)
        ffn(f"encoder.block.{i}.layer.1")
    for i in range(c.get("num_decoder_layers") or c["num_layers"]):
        attn(f"decoder.block.{i}.layer.0.SelfAttention", i == 0)
        s[f"decoder.block.{i}.layer.0.layer_norm.weight"] = (C,)
        attn(f"decoder.block.{i}.layer.1.EncDecAttention", False)
        s[f"decoder.block.{i}.layer.1.layer_norm.weight"] = (C,)
        ffn(f"decoder.block.{i}.layer.2")
    s["encoder.final_layer_norm.weight"] = (C,)
    s["decoder.final_layer_norm.weight"] = (C,)
    if not c.get("tie_word_embeddings", True):
        s["lm_head.weight"] = (V, C)
    return s
