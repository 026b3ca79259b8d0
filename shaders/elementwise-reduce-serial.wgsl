// Deterministic sum (or sum of squares) of x (n) with no workgroup memory and no barriers: invocation t < parts
// adds x[t], x[t + parts], x[t + 2 parts], ... in order into out[t]:
//   out[t] = (ACCUMULATE ? out[t] : 0) + sum over k of f(x[t + k*parts]),  f = SQUARE ? x*x : x
// With parts = 1 one invocation sums the whole range; a bigger n runs twice (parts partials, then one over them).

@compute @workgroup_size(WG_X)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  if (t >= u.parts) { return; }
  var acc = 0.0;
  for (var i = t; i < u.n; i += u.parts) {
    let v = x[i];
    if (SQUARE) { acc += v * v; } else { acc += v; }
  }
  if (ACCUMULATE) { out[t] = out[t] + acc; } else { out[t] = acc; }
}
