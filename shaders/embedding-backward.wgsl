// dtable[id, c] += sum of dout[p, c] over the positions p holding id, in ascending p: deterministic, no atomics.
// The host grouped the batch: id uniqueIds[k] owns positions[offsets[k] .. offsets[k+1]).
// Workgroup (x: a block of WG_X columns, y + z * (y count): the unique id k).  dout (N,C), dtable (V,C)
@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let k = wid.y + wid.z * nwg.y;
  let c = wid.x * WG_X + lid.x;
  if (k >= u.count || c >= u.C) { return; }
  var s = 0.0;
  for (var j = offsets[k]; j < offsets[k + 1u]; j++) {
    s += dout[u32(positions[j]) * u.C + c];
  }
  let at = u32(uniqueIds[k]) * u.C + c;
  dtable[at] += s;
}
