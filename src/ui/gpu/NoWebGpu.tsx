/** Shown instead of the studio when the browser gives no WebGPU adapter. */
export function NoWebGpu({ message }: { message: string | null }) {
  return (
    <main className="no-webgpu" data-testid="no-webgpu">
      <h1>Stepwise needs WebGPU</h1>
      <p>All training runs on your GPU through WebGPU, and this browser did not give us an adapter.</p>
      {message && <p className="muted">Reason: {message}</p>}
      <ol>
        <li>Use a recent Chrome or Chromium (version 113 or later) on a desktop.</li>
        <li>
          Open <code>chrome://gpu</code> and check that “WebGPU” says “Hardware accelerated”.
        </li>
        <li>
          If it is disabled, enable <code>chrome://flags/#enable-unsafe-webgpu</code> (and on Linux{' '}
          <code>chrome://flags/#enable-vulkan</code>), then restart the browser.
        </li>
        <li>
          Serve Stepwise from <code>https://</code> or <code>http://127.0.0.1</code> / <code>localhost</code>: WebGPU exists only in
          secure contexts.
        </li>
      </ol>
    </main>
  );
}
