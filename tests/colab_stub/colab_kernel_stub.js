// Stand-in for the page-side `google.colab.kernel` of Colab (injected before any page script).
// proxyPort(port) resolves to a URL the page can fetch for a port of the kernel's machine;
// Colab returns a proxied https URL, here the browser shares the kernel's loopback.
(() => {
  window.google = window.google || {};
  window.google.colab = window.google.colab || {};
  const calls = (window.__colabStubCalls = []);
  window.google.colab.kernel = {
    proxyPort: async (port, options = {}) => {
      calls.push({ call: "kernel.proxyPort", port, options });
      return `http://127.0.0.1:${port}/`;
    },
    invokeFunction: async (name, args = [], kwargs = {}) => {
      calls.push({ call: "kernel.invokeFunction", name });
      throw new Error("the Colab stub does not run kernel callbacks");
    },
  };
})();
