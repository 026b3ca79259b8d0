// Shared by the attention kernels that give one workgroup to each score row (b, h, i): attention_scores and
// attention_dscores. Needs the attention uniforms (Tq, NH, D, cap), MAX_D, and two bindings named by role:
// row_src (B,Tq,C), whose head-h row i is dotted with every key row (q forward, dout backward), and
// key_src (B,Cap,C), the rows it is dotted with (k forward, v backward).

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

// Head r.h of row_src's row (b, i), staged in workgroup memory once per score row.
var<workgroup> row_vec: array<f32, MAX_D>;

// Every invocation of the workgroup calls this (it ends in a barrier).
fn load_row_vec(r: ScoreRow, tid: u32) {
  for (var d = tid; d < u.D; d += WG_SIZE) { row_vec[d] = row_src[r.query + d]; }
  workgroupBarrier();
}

// row_vec . key_src[b, j, h, :], summed in d order.
fn row_dot_key(r: ScoreRow, j: u32) -> f32 {
  let base = key_offset(r, j);
  var acc = 0.0;
  for (var d = 0u; d < u.D; d++) { acc += row_vec[d] * key_src[base + d]; }
  return acc;
}

// row_src's row . key_src[b, j, h, :] read straight from storage, summed in d order: the serial forms' dot, one
// invocation per row with no staging.
fn dot_with_key(r: ScoreRow, j: u32) -> f32 {
  let base = key_offset(r, j);
  var acc = 0.0;
  for (var d = 0u; d < u.D; d++) { acc += row_src[r.query + d] * key_src[base + d]; }
  return acc;
}
