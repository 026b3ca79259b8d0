/** CPU float64 reference of add: out = a + alpha * b. */
export function addRef(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 1): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + alpha * b[i];
  return out;
}
