// Shared by the attention kernels that give one workgroup to each score row (b, h, i): attention_scores and
// attention_dscores. Needs the attention uniforms (Tq, NH, D, cap) from the program table.

struct ScoreRow {
  b: u32,
  h: u32,
  i: u32,
  query: u32, // offset of head h of query row (b, i) in a (B,Tq,C) tensor
}

// Score row index (b * NH + h) * Tq + i, split.
fn score_row(row: u32) -> ScoreRow {
  let i = row % u.Tq;
  let h = (row / u.Tq) % u.NH;
  let b = row / (u.Tq * u.NH);
  return ScoreRow(b, h, i, (b * u.Tq + i) * u.NH * u.D + h * u.D);
}

// Offset of head r.h of key row j of batch item r.b in a (B,Cap,C) tensor.
fn key_offset(r: ScoreRow, j: u32) -> u32 {
  return (r.b * u.cap + j) * u.NH * u.D + r.h * u.D;
}
