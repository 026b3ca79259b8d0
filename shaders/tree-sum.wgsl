// workgroup_reduce's sum (workgroup-reduce.wgsl) for a workgroup of TREE_WIDTH invocations, worked by ONE
// invocation with no workgroup memory and no barriers, bit for bit: the serial forms of the row reductions use it
// so they give exactly what their workgroup forms give.
// The tree adds p[l] + p[l + stride] for strides TREE_WIDTH/2 ... 1; walking its leaves in order visits the
// invocation indices l in bit-reversed order, so pushing leaf tree_leaf(0), tree_leaf(1), ... onto a
// binary-counter stack rebuilds every partial sum with the same operands in the same order. The last push
// (i = TREE_WIDTH - 1) returns the total. TREE_WIDTH is a power of two >= 2.

var<private> tree_stack: array<f32, 32>;

// The invocation whose value is the i-th leaf of the tree.
fn tree_leaf(i: u32) -> u32 {
  return reverseBits(i) >> (32u - countTrailingZeros(TREE_WIDTH));
}

// Push the i-th leaf (pushed in order i = 0, 1, ...); returns the sum of the finished subtree it closes.
fn tree_push(i: u32, value: f32) -> f32 {
  var s = value;
  var k = i;
  var level = 0u;
  while ((k & 1u) == 1u) {
    s = tree_stack[level] + s;
    k = k >> 1u;
    level++;
  }
  tree_stack[level] = s;
  return s;
}
